/**
 * A step as a timeline: its input messages, then its output, each rendered as safe Markdown and
 * collapsed when long ("Show more" first unfolds what is here, then fetches the rest from the
 * host in chunks). Above the timeline: tokens, timing, what it read, the credit that cites it,
 * and links from the implicated policy units back to the prompt file in the editor.
 */
import type { StepDetail, TextChunk, TextPart } from '../../src/shared/panelProtocol';
import { creditClass, creditWords } from '../creditScale';
import { clear, h } from '../dom';
import { formatTokens } from '../format';
import type { HostChannel } from '../hostChannel';
import { renderMarkdown } from '../markdown';

/** Texts longer than this start folded; the fold is a CSS max-height, the text is all there. */
const FOLD_AT = 1200;
const MORE_CHUNK = 16_000;

export class StepView {
  readonly element = h('section', { class: 'step-view', 'aria-label': 'Step' });
  private detail: StepDetail | undefined;
  private stepIds: string[] = [];

  constructor(
    private readonly channel: HostChannel,
    private readonly events: { openStep(stepId: string): void; error(error: Error): void },
  ) {}

  clear(): void {
    clear(this.element);
    this.detail = undefined;
  }

  /** Steps of the selected cell: a row of chips to switch between them when there are several. */
  setCellSteps(stepIds: string[]): void {
    this.stepIds = stepIds;
  }

  async load(runId: string, taskId: string, stepId: string): Promise<StepDetail> {
    const detail = await this.channel.request({ kind: 'step', runId, taskId, stepId });
    this.detail = detail;
    this.render(detail);
    return detail;
  }

  private render(d: StepDetail): void {
    clear(this.element);
    if (this.stepIds.length > 1) {
      const chips = h('div', { class: 'step-chips', role: 'toolbar', 'aria-label': 'Steps of this cell' });
      for (const id of this.stepIds) {
        const chip = h('vscode-button', { secondary: id !== d.stepId, 'aria-pressed': String(id === d.stepId) }, id);
        chip.addEventListener('click', () => this.events.openStep(id));
        chips.append(chip);
      }
      this.element.append(chips);
    }
    const total = d.usage.total ?? d.usage.in + d.usage.out;
    this.element.append(
      h('h3', { class: 'step-title' }, `${d.stepId}`, h('span', { class: 'muted' }, ` · ${d.agentId} · round ${d.round} · ${d.kind} · #${d.seq}`)),
      h(
        'div',
        { class: 'step-facts' },
        h('span', { title: 'input / output tokens' }, `${formatTokens(d.usage.in)} in · ${formatTokens(d.usage.out)} out · ${formatTokens(total)} total`),
        d.durationMs !== null ? h('span', {}, ` · ${(d.durationMs / 1000).toFixed(2)} s`) : null,
      ),
    );
    if (d.mistake) this.element.append(this.mistakeNote(d.mistake));
    if (d.intervention) this.element.append(this.interventionNote(d.intervention));
    if (d.reads.length) {
      const reads = h('div', { class: 'step-reads' }, h('span', { class: 'muted' }, 'Read: '));
      for (const id of d.reads) {
        const link = h('button', { class: 'link', type: 'button', 'aria-label': `Open step ${id}, which this step read` }, id);
        link.addEventListener('click', () => this.events.openStep(id));
        reads.append(link, ' ');
      }
      this.element.append(reads);
    }
    if (d.units.length) {
      const units = h('ul', { class: 'step-units', 'aria-label': 'Policy units this step implicates' });
      for (const unit of d.units) {
        const link = h('button', { class: 'link unit-link', type: 'button', 'data-unit-id': unit.unitId, 'aria-label': `Show rule ${unit.unitId} in its prompt file` }, unit.unitId);
        link.addEventListener('click', () => this.channel.send({ type: 'revealUnit', runId: d.runId, unitId: unit.unitId }));
        units.append(h('li', { class: creditClass(unit.score) }, link, h('span', { class: 'muted' }, ` ${creditWords(unit.score)} — `), unit.text));
      }
      this.element.append(h('h4', {}, 'Implicated rules'), units);
    }
    const others = d.credit.filter((c) => c.scope !== 'unit');
    if (others.length) {
      const list = h('ul', { class: 'step-credit', 'aria-label': 'Credit signals citing this step' });
      for (const c of others) list.append(h('li', { class: creditClass(c.score) }, h('strong', {}, `${c.scope} ${c.ref}`), h('span', { class: 'muted' }, ` ${creditWords(c.score)} (${c.method}) — `), c.text));
      this.element.append(h('h4', {}, 'Credit'), list);
    }
    const timeline = h('ol', { class: 'timeline', 'aria-label': 'Messages and output of the step' });
    d.messages.forEach((m, i) => timeline.append(this.textBlock(`${m.role}${m.name ? ` (${m.name})` : ''}`, m.content, { message: i })));
    timeline.append(this.textBlock('output', d.output, 'output'));
    this.element.append(timeline);
  }

  /** The dataset's failure label, as plain text: which badge applies, and the annotators' reason. */
  private mistakeNote(m: NonNullable<StepDetail['mistake']>): HTMLElement {
    return h(
      'div',
      { class: 'step-mistake', role: 'note' },
      m.step ? h('vscode-badge', { class: 'mistake-badge step-badge' }, 'labelled mistake') : null,
      m.agent ? h('vscode-badge', { class: 'mistake-badge agent-badge' }, m.step ? 'by the labelled agent' : 'labelled mistake agent') : null,
      m.step && m.reason ? h('div', { class: 'mistake-reason' }, m.reason) : null,
    );
  }

  /** What `truce intervene` found when this step was given a corrected reply and the MAS ran on. */
  private interventionNote(i: NonNullable<StepDetail['intervention']>): HTMLElement {
    // The sentence already says confirmed or not; the badge only names what kind of evidence this is.
    const label = i.verdict === 'unchecked' ? 'intervention: no verdict' : 'intervention';
    const correction = h('details', { class: 'intervention-correction' }, h('summary', {}, 'Corrected reply tried'), h('div', { class: 'message-body' }, i.correction));
    return h(
      'div',
      { class: `step-intervention ${i.verdict}`, role: 'note', 'aria-label': i.text },
      h('vscode-badge', { class: 'intervention-badge' }, label),
      h('div', { class: 'intervention-text' }, i.text),
      correction,
    );
  }

  private textBlock(label: string, chunk: TextChunk, part: TextPart): HTMLElement {
    let text = chunk.text;
    const body = h('div', { class: 'message-body' });
    const more = h('vscode-button', { secondary: true, class: 'show-more' }, 'Show more');
    const item = h('li', { class: `message role-${label.split(' ')[0]}` }, h('div', { class: 'message-role' }, label), body);
    const render = () => {
      // The renderer escapes every character of the text; see markdown.ts.
      body.innerHTML = renderMarkdown(text);
      const remaining = chunk.total - text.length;
      const folded = body.classList.contains('folded');
      more.textContent = folded ? 'Show more' : `Show more (${remaining.toLocaleString()} more characters)`;
      more.hidden = !folded && remaining <= 0;
    };
    if (text.length > FOLD_AT) body.classList.add('folded');
    more.addEventListener('click', async () => {
      if (body.classList.contains('folded')) {
        body.classList.remove('folded');
        render();
        return;
      }
      const d = this.detail;
      if (!d) return;
      try {
        const page = await this.channel.request({ kind: 'text', runId: d.runId, taskId: d.taskId, stepId: d.stepId, part, offset: text.length, length: MORE_CHUNK });
        text += page.text;
        render();
      } catch (error) {
        this.events.error(error as Error);
      }
    });
    render();
    item.append(more);
    return item;
  }
}
