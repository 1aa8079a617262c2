/**
 * What the webview remembers across being hidden and shown again (VS Code destroys a hidden
 * webview; getState/setState survive it). Only UI state: where the user was and how far they had
 * scrolled — never run data, which is always fetched fresh from the host.
 */
import * as z from 'zod';

export const UiStateSchema = z.object({
  runId: z.string().optional(),
  taskId: z.string().optional(),
  stepId: z.string().optional(),
  taskScroll: z.number().nonnegative().optional(),
  gridScroll: z.number().nonnegative().optional(),
});
export type UiState = z.infer<typeof UiStateSchema>;

/** A state from an older panel version that no longer parses is simply forgotten. */
export function readUiState(raw: unknown): UiState {
  const parsed = UiStateSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : {};
}
