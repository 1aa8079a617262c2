/** Internal stops that end the loop with a status instead of an exception. */
export class BudgetStop extends Error {}
export class CancelStop extends Error {
  constructor() {
    super('cancelled');
  }
}
