/** The mean of a task → score map; null when it holds no task. */
export const mean = (m: ReadonlyMap<string, number>) => (m.size ? [...m.values()].reduce((a, b) => a + b, 0) / m.size : null);
