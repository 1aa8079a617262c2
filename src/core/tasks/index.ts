/** Public API of the task set: loading a tasks JSONL and the seeded train/val/test split. */
export { loadTasksFile, parseTasksJsonl, type TaskFile, type TaskFileError } from './loadTasks';
export { isRatioSpec, SPLITS, splitOf, splitSizes, splitTasks, type SplitName, type SplitSpec, type TaskSplit } from './splitTasks';
export { selectTasks, type SelectedTask } from './selectTasks';
