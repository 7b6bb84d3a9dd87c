import { readdirSync, readFileSync } from 'fs';
import path from 'path';

// What a user sees on importing a template: no sticky note may hide a node (or another note),
// and every note stays beside the nodes it describes. Boxes as n8n's canvas draws them:
// `position` is the top-left corner; a node is 100 × 100 px plus about 20 px for its label below;
// a sticky note is `width` × `height` (n8n's defaults 240 × 160 when the parameters are absent).
const NODE_WIDTH = 100;
const NODE_HEIGHT = 120;
const STICKY_WIDTH = 240;
const STICKY_HEIGHT = 160;
/** How far (px, box edge to box edge) a note may be from the nearest node. */
const MAX_DISTANCE = 600;

const STICKY = 'n8n-nodes-base.stickyNote';

interface TemplateNode {
	name: string;
	type: string;
	position: [number, number];
	parameters: { width?: number; height?: number };
}

interface Box {
	left: number;
	top: number;
	right: number;
	bottom: number;
}

const dir = path.resolve(__dirname, '../../templates');
const templates = readdirSync(dir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) }));

function box(node: TemplateNode): Box {
	const [left, top] = node.position;
	const sticky = node.type === STICKY;
	const width = sticky ? (node.parameters.width ?? STICKY_WIDTH) : NODE_WIDTH;
	const height = sticky ? (node.parameters.height ?? STICKY_HEIGHT) : NODE_HEIGHT;
	return { left, top, right: left + width, bottom: top + height };
}

/** Boxes that only touch at an edge do not overlap. */
const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** The shortest distance between two boxes' edges (0 when they touch or overlap). */
function distance(a: Box, b: Box): number {
	const dx = Math.max(0, a.left - b.right, b.left - a.right);
	const dy = Math.max(0, a.top - b.bottom, b.top - a.bottom);
	return Math.hypot(dx, dy);
}

describe('template layout', () => {
	it('has templates to check', () => {
		expect(templates.length).toBeGreaterThanOrEqual(15);
	});

	describe.each(templates)('$file', ({ file, workflow }) => {
		const all = workflow.nodes as TemplateNode[];
		const stickies = all.filter((node) => node.type === STICKY);
		const nodes = all.filter((node) => node.type !== STICKY);

		it('places every node and sticky note', () => {
			const unplaced = all
				.filter((node) => !Array.isArray(node.position) || node.position.length !== 2 || !node.position.every(Number.isFinite))
				.map((node) => `${file}: "${node.name}"`);
			expect(unplaced).toEqual([]);
		});

		it('has no sticky note over a node', () => {
			const covered: string[] = [];
			for (const sticky of stickies) {
				for (const node of nodes) {
					if (overlap(box(sticky), box(node))) covered.push(`${file}: sticky "${sticky.name}" over node "${node.name}"`);
				}
			}
			expect(covered).toEqual([]);
		});

		it('has no two sticky notes over each other', () => {
			const covered: string[] = [];
			stickies.forEach((sticky, i) => {
				for (const other of stickies.slice(i + 1)) {
					if (overlap(box(sticky), box(other))) covered.push(`${file}: sticky "${sticky.name}" over sticky "${other.name}"`);
				}
			});
			expect(covered).toEqual([]);
		});

		it(`has every sticky note within ${MAX_DISTANCE} px of a node`, () => {
			const astray = stickies
				.map((sticky) => ({ sticky, nearest: Math.min(...nodes.map((node) => distance(box(sticky), box(node)))) }))
				.filter(({ nearest }) => !(nearest <= MAX_DISTANCE))
				.map(({ sticky, nearest }) => `${file}: sticky "${sticky.name}" is ${Math.round(nearest)} px from the nearest node`);
			expect(astray).toEqual([]);
		});
	});
});
