/**
 * The @vscode-elements components the panel uses, and only those: each import registers one
 * custom element, and the bundle stays as small as the panel needs.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
