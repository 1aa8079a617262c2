/**
 * Geometry of the optimization-history chart: train and val score per round as polylines in a
 * fixed box. Scores live in [0, 1], so the y axis is fixed to that range (a run whose scores
 * barely move should look flat, not dramatic). Missing scores break the line.
 */
export interface ChartBox {
  width: number;
  height: number;
  padLeft: number;
  padRight: number;
  padTop: number;
  padBottom: number;
}

export const DEFAULT_BOX: ChartBox = { width: 320, height: 140, padLeft: 30, padRight: 10, padTop: 10, padBottom: 22 };

export interface ChartPoint {
  x: number;
  y: number;
  round: number;
  value: number;
}

export function xFor(index: number, count: number, box: ChartBox): number {
  const span = box.width - box.padLeft - box.padRight;
  return count <= 1 ? box.padLeft + span / 2 : box.padLeft + (span * index) / (count - 1);
}

export function yFor(value: number, box: ChartBox): number {
  const span = box.height - box.padTop - box.padBottom;
  const clamped = Math.max(0, Math.min(1, value));
  return box.padTop + span * (1 - clamped);
}

/** Points of one series; rounds without a value are skipped (and split the path). */
export function seriesPoints(rounds: ReadonlyArray<{ round: number }>, values: ReadonlyArray<number | null>, box: ChartBox): Array<ChartPoint | null> {
  return rounds.map((r, i) => {
    const value = values[i];
    return value === null || value === undefined ? null : { x: xFor(i, rounds.length, box), y: yFor(value, box), round: r.round, value };
  });
}

/** An SVG path ("M x y L x y …") with a new "M" after every gap. */
export function pathData(points: ReadonlyArray<ChartPoint | null>): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) {
      pen = false;
      continue;
    }
    d += `${pen ? ' L' : d ? ' M' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`;
    pen = true;
  }
  return d;
}
