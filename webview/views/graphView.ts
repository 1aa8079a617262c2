/**
 * The GBC attribution graph of a task as an SVG DAG: nodes are agent calls, edge width is the
 * connection weight, and the attribution paths (the way a verbal loss travels back from the
 * final output) are highlighted. Nodes are focusable; arrow keys walk them in reading order and
 * Enter opens a node that is a step. With no graph recorded the view renders nothing at all.
 */
import type { AttributionGraph } from '../../src/shared/panelProtocol';
import { clear, h, s } from '../dom';
import { layoutDag, pathEdges } from '../dagLayout';

const NODE_W = 110;
const NODE_H = 26;

export class GraphView {
  readonly element = h('section', { class: 'graph-view', hidden: true, 'aria-label': 'Attribution graph' });

  constructor(private readonly events: { openStep(stepId: string): boolean }) {}

  render(graph: AttributionGraph | null): void {
    clear(this.element);
    this.element.hidden = graph === null;
    if (!graph) return;
    const layout = layoutDag(graph.nodes.map((n) => n.id), graph.edges);
    const highlighted = pathEdges(graph.paths);
    const onPath = new Set(graph.paths.flat());
    const maxWeight = Math.max(1e-9, ...graph.edges.map((e) => Math.abs(e.weight)));
    const svg = s('svg', {
      class: 'graph',
      width: layout.width,
      height: layout.height,
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      role: 'group',
      'aria-label': `Attribution graph: ${graph.nodes.length} nodes, ${graph.edges.length} weighted edges, ${graph.paths.length} attribution path(s)`,
    });
    svg.append(s('title', {}, 'Attribution graph'));
    const edgeLayer = s('g', { class: 'edges', 'aria-hidden': 'true' });
    for (const e of graph.edges) {
      const a = layout.nodes.get(e.from);
      const b = layout.nodes.get(e.to);
      if (!a || !b) continue;
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      edgeLayer.append(
        s(
          'path',
          {
            class: `edge${highlighted.has(`${e.from}->${e.to}`) ? ' on-path' : ''}${e.weight < 0 ? ' negative' : ''}`,
            d: `M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}`,
            'stroke-width': (1 + 4 * (Math.abs(e.weight) / maxWeight)).toFixed(2),
          },
          s('title', {}, `${e.from} → ${e.to}: weight ${e.weight.toFixed(3)}`),
        ),
      );
    }
    svg.append(edgeLayer);
    const nodes = [...graph.nodes].sort((p, q) => {
      const a = layout.nodes.get(p.id);
      const b = layout.nodes.get(q.id);
      return (a?.layer ?? 0) - (b?.layer ?? 0) || (a?.order ?? 0) - (b?.order ?? 0);
    });
    const nodeEls: SVGElement[] = [];
    for (const node of nodes) {
      const at = layout.nodes.get(node.id);
      if (!at) continue;
      const incoming = graph.edges.filter((e) => e.to === node.id).length;
      const g = s(
        'g',
        {
          class: `node${onPath.has(node.id) ? ' on-path' : ''}`,
          transform: `translate(${at.x} ${at.y})`,
          tabindex: 0,
          role: 'button',
          'aria-label': `${node.label}${onPath.has(node.id) ? ', on an attribution path' : ''}, ${incoming} incoming edge(s)`,
        },
        s('rect', { width: NODE_W, height: NODE_H, rx: 4 }),
        s('text', { x: 6, y: 17 }, node.label.length > 16 ? `${node.label.slice(0, 15)}…` : node.label),
        s('title', {}, node.label),
      );
      g.addEventListener('click', () => this.events.openStep(node.id));
      g.addEventListener('keydown', (event) => {
        const i = nodeEls.indexOf(g);
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          this.events.openStep(node.id);
        } else if (event.key === 'ArrowRight' || event.key === 'ArrowDown') {
          event.preventDefault();
          (nodeEls[Math.min(nodeEls.length - 1, i + 1)] as unknown as HTMLElement | undefined)?.focus();
        } else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') {
          event.preventDefault();
          (nodeEls[Math.max(0, i - 1)] as unknown as HTMLElement | undefined)?.focus();
        }
      });
      nodeEls.push(g);
      svg.append(g);
    }
    const paths = h('ul', { class: 'graph-paths', 'aria-label': 'Attribution paths, from the final output back' });
    for (const path of graph.paths) paths.append(h('li', {}, path.join(' ← ')));
    this.element.append(h('h4', {}, 'Attribution graph'), h('div', { class: 'graph-scroll' }, svg), paths);
  }
}
