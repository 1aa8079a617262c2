/** A replacement of [start, end) (UTF-16 offsets into the text the edit was planned on). */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}
