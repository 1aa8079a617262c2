/** Commands of live attach (package.json names the same ones). */
export const ATTACH_COMMAND = 'truce.attach';
export const STOP_ATTACH_COMMAND = 'truce.stopAttach';
export const ATTACH_MENU_COMMAND = 'truce.attachMenu';
export const COPY_ATTACH_EXPORTS_COMMAND = 'truce.copyAttachExports';
