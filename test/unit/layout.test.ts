/**
 * The code layout docs/adding-a-platform.md asks for: a platform's folder imports only from itself
 * and nodes/shared/, and nodes/shared/ imports no platform, so a sixth platform copies one folder.
 */
import * as fs from 'fs';
import * as path from 'path';

const NODES = path.resolve(__dirname, '../../nodes');

function sources(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sources(full);
		return entry.name.endsWith('.ts') ? [full] : [];
	});
}

function relativeImports(file: string): string[] {
	const text = fs.readFileSync(file, 'utf8');
	return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']*)'/g)].map((match) => match[1]);
}

const folders = fs.readdirSync(NODES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

describe.each(folders)('nodes/%s', (folder) => {
	it('imports only from its own folder and nodes/shared/', () => {
		const own = path.join(NODES, folder);
		const allowed = folder === 'shared' ? [own] : [own, path.join(NODES, 'shared')];
		const outside = sources(own).flatMap((file) =>
			relativeImports(file)
				.map((spec) => path.resolve(path.dirname(file), spec))
				.filter((target) => !allowed.some((dir) => target === dir || target.startsWith(dir + path.sep)))
				.map((target) => `${path.relative(NODES, file)} → ${path.relative(NODES, target)}`),
		);
		expect(outside).toEqual([]);
	});
});
