/** Command ids shared by the code that registers them and the code that links to them (lenses, hovers). */
export const SHOW_UNITS_COMMAND = 'truce.showUnits';
export const SHOW_UNIT_DETAILS_COMMAND = 'truce.showUnitDetails';
export const VALIDATE_CONFIG_COMMAND = 'truce.validateConfig';
export const SET_API_KEY_COMMAND = 'truce.setApiKey';
export const IMPORT_TRAJECTORIES_COMMAND = 'truce.importTrajectories';
export const RUN_MAS_COMMAND = 'truce.runMas';
export const SHOW_LOG_COMMAND = 'truce.showLog';
