/**
 * The optimization history of a run: a small line chart of train and val score per round, the
 * rounds with their acceptance decisions, the spend per phase, and the suggestions with support,
 * status and reasons (paged: "More" asks the host for the next ones). Hidden for runs that did
 * not optimize.
 */
import type { HistoryPage, HistoryRound, HistorySuggestion } from '../../src/shared/panelProtocol';
import { DEFAULT_BOX, pathData, seriesPoints, yFor } from '../chartGeometry';
import { clear, h, s } from '../dom';
import { formatCost, formatScore, formatTokens } from '../format';
import type { HostChannel } from '../hostChannel';

const PAGE = 50;

export class HistoryView {
  readonly element = h('section', { class: 'history-view', hidden: true, 'aria-label': 'Optimization history' });
  private suggestions: HistorySuggestion[] = [];

  constructor(
    private readonly channel: HostChannel,
    private readonly events: { error(error: Error): void },
  ) {}

  async load(runId: string): Promise<void> {
    const page = await this.channel.request({ kind: 'history', runId, offset: 0, limit: PAGE });
    this.suggestions = page.suggestions;
    this.render(page);
  }

  private render(page: HistoryPage): void {
    clear(this.element);
    this.element.hidden = !page.available;
    if (!page.available) return;
    this.element.append(h('h4', {}, 'Optimization history'));
    if (page.rounds.length) this.element.append(chart(page.rounds), roundsTable(page.rounds));
    if (page.spend.length) {
      const table = h('table', { class: 'spend' }, h('caption', {}, 'Spend per phase'), h('tr', {}, h('th', { scope: 'col' }, 'Phase'), h('th', { scope: 'col' }, 'Calls'), h('th', { scope: 'col' }, 'Tokens'), h('th', { scope: 'col' }, 'Cost')));
      for (const p of page.spend) table.append(h('tr', {}, h('th', { scope: 'row' }, p.phase), h('td', {}, String(p.calls)), h('td', {}, formatTokens(p.tokens)), h('td', {}, formatCost(p.costUsd))));
      this.element.append(table);
    }
    const list = h('ul', { class: 'suggestions', 'aria-label': `Suggestions (${page.totalSuggestions})` });
    const fill = () => {
      clear(list);
      for (const sug of this.suggestions) {
        list.append(
          h(
            'li',
            { class: `suggestion status-${sug.status}` },
            h('vscode-badge', { class: `status status-${sug.status}` }, sug.status),
            h('strong', {}, ` ${sug.op} `),
            h('span', {}, `${sug.agentId}${sug.unitId ? ` · ${sug.unitId}` : ''}`),
            h('span', { class: 'muted' }, ` · support ${(sug.support * 100).toFixed(0)}%${sug.round !== null ? ` · round ${sug.round}` : ''}`),
            sug.reason ? h('div', { class: 'reason' }, `Reason: ${sug.reason}`) : null,
            sug.rationale ? h('div', { class: 'rationale muted' }, sug.rationale) : null,
          ),
        );
      }
    };
    fill();
    this.element.append(h('h4', {}, `Suggestions (${page.totalSuggestions})`), list);
    if (page.totalSuggestions > this.suggestions.length) {
      const more = h('vscode-button', { secondary: true }, 'More suggestions');
      more.addEventListener('click', async () => {
        try {
          const next = await this.channel.request({ kind: 'history', runId: page.runId, offset: this.suggestions.length, limit: PAGE });
          this.suggestions.push(...next.suggestions);
          fill();
          more.hidden = this.suggestions.length >= next.totalSuggestions;
        } catch (error) {
          this.events.error(error as Error);
        }
      });
      this.element.append(more);
    }
  }
}

function chart(rounds: HistoryRound[]): SVGElement {
  const box = DEFAULT_BOX;
  const train = seriesPoints(rounds, rounds.map((r) => r.train), box);
  const val = seriesPoints(rounds, rounds.map((r) => r.val), box);
  const summary = rounds.map((r) => `round ${r.round}: train ${formatScore(r.train)}, val ${formatScore(r.val)}`).join('; ');
  // No width/height attributes: the viewBox scales the chart to the side bar's width.
  const svg = s('svg', { class: 'history-chart', viewBox: `0 0 ${box.width} ${box.height}`, role: 'img', 'aria-label': `Train and validation score per round. ${summary}` });
  for (const v of [0, 0.5, 1]) {
    const y = yFor(v, box);
    svg.append(s('line', { class: 'gridline', x1: box.padLeft, x2: box.width - box.padRight, y1: y, y2: y }), s('text', { class: 'axis', x: 4, y: y + 4 }, v.toFixed(1)));
  }
  svg.append(s('path', { class: 'series train', d: pathData(train) }), s('path', { class: 'series val', d: pathData(val) }));
  for (const [points, cls] of [[train, 'train'], [val, 'val']] as const) {
    for (const p of points) if (p) svg.append(s('circle', { class: `dot ${cls}`, cx: p.x, cy: p.y, r: 3 }, s('title', {}, `${cls} round ${p.round}: ${p.value.toFixed(3)}`)));
  }
  rounds.forEach((r, i) => {
    const p = train[i] ?? val[i];
    if (p) svg.append(s('text', { class: 'axis', x: p.x - 4, y: box.height - 6 }, String(r.round)));
  });
  svg.append(
    s('text', { class: 'legend train', x: box.width - 100, y: 12 }, '— train'),
    s('text', { class: 'legend val', x: box.width - 50, y: 12 }, '— val'),
  );
  return svg;
}

function roundsTable(rounds: HistoryRound[]): HTMLElement {
  // Columns a run never fills are left out: the optimizer records no phase names.
  const phases = rounds.some((r) => r.phase !== null);
  const candidates = rounds.some((r) => r.candidate !== null);
  const headers = ['Round', phases ? 'Phase' : null, 'Train', 'Val (best)', candidates ? 'Candidate' : null].filter((t): t is string => t !== null);
  const table = h('table', { class: 'rounds' }, h('caption', {}, 'Rounds'), h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t))));
  for (const r of rounds) {
    const verdict = r.accepted === null ? '' : r.accepted ? 'accepted' : 'rejected';
    table.append(
      h(
        'tr',
        { class: `round ${verdict}`.trim() },
        h('th', { scope: 'row' }, String(r.round)),
        phases ? h('td', {}, r.phase ?? '–') : null,
        h('td', {}, formatScore(r.train)),
        h('td', {}, formatScore(r.val)),
        candidates ? h('td', {}, formatScore(r.candidate)) : null,
      ),
    );
    // The decision and its reason on a row of their own, as wide as the table. As columns they did
    // not fit the side bar: the decision was cut off at its edge, and a reason in a last column a
    // few characters wide wrapped one word, or one letter, per line.
    if (!verdict && !r.reason) continue;
    const cell = h('td', { colspan: String(headers.length), class: 'reason' });
    if (verdict) cell.append(h('span', { class: `decision ${verdict}` }, verdict));
    if (verdict && r.reason) cell.append(' · ');
    if (r.reason) cell.append(h('span', { class: 'muted' }, r.reason));
    table.append(h('tr', { class: `reason-row ${verdict}`.trim() }, cell));
  }
  return table;
}
