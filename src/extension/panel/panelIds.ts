/** Ids the trajectory panel contributes (package.json names the same ones). */
export const TRAJECTORY_VIEW_ID = 'truce.trajectoryView';
export const OPEN_TRAJECTORY_PANEL_COMMAND = 'truce.openTrajectoryPanel';
export const OPEN_TRAJECTORY_PANEL_IN_EDITOR_COMMAND = 'truce.openTrajectoryPanelInEditor';
export const TRAJECTORY_EDITOR_PANEL_TYPE = 'truce.trajectoryEditor';
