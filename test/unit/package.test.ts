import { execFileSync } from 'child_process';
import { existsSync, readdirSync } from 'fs';
import path from 'path';

// Checks what a user installs: the packed package, as npm would publish it (npm test builds first).
const root = path.resolve(__dirname, '../..');
const pkg = require(path.join(root, 'package.json')) as {
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[]; n8nNodesApiVersion: number; strict: boolean };
	files: string[];
	keywords: string[];
};

function packedFiles(): string[] {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((file) => file.path);
}

describe('the published package', () => {
	const files = packedFiles();

	it('contains only dist/, README, LICENSE and package.json', () => {
		const stray = files.filter((file) => !file.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(file));
		expect(stray).toEqual([]);
		expect(files.some((file) => file.startsWith('dist/') && /test|fixture|fake/i.test(file))).toBe(false);
	});

	it('ships every node and credential its n8n field names, with their icons', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
			expect(files).toContain(entry);
		}
		const icons = files.filter((file) => file.endsWith('.svg'));
		expect(icons.length).toBeGreaterThan(0);
	});

	it('lists every node and credential written in nodes/ and credentials/ in its n8n field', () => {
		const sources = (dir: string, suffix: string): string[] =>
			(readdirSync(path.join(root, dir), { recursive: true }) as string[])
				.filter((file) => file.endsWith(suffix))
				.map((file) => `dist/${dir}/${file.replace(/\\/g, '/').replace(/\.ts$/, '.js')}`);
		expect(sources('nodes', '.node.ts').sort()).toEqual([...pkg.n8n.nodes].sort());
		expect(sources('credentials', '.credentials.ts').sort()).toEqual([...pkg.n8n.credentials].sort());
	});

	it('has no runtime dependencies and n8n-workflow only as a peer', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.n8n).toMatchObject({ n8nNodesApiVersion: 1, strict: true });
	});

	it('every built node loads and declares what n8n expects', () => {
		for (const entry of pkg.n8n.nodes) {
			const file = path.join(root, entry);
			expect(existsSync(file)).toBe(true);
			const exported = require(file) as Record<string, new () => { description: Record<string, unknown> }>;
			const NodeClass = Object.values(exported)[0];
			const { description } = new NodeClass();
			const isTrigger = (description.group as string[]).includes('trigger');
			if (!isTrigger) expect(description.usableAsTool).toBe(true);
			const icon = description.icon as { light: string; dark: string };
			for (const variant of [icon.light, icon.dark]) {
				expect(existsSync(path.join(path.dirname(file), variant.replace(/^file:/, '')))).toBe(true);
			}
		}
	});
});
