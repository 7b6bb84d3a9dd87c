/**
 * The README's first commands on a machine whose Node is older than 24 (the system Node 20 of the
 * machines CI runs on): a copy of this checkout as a clean clone has it, `npm install` with that Node
 * first on PATH, then `npm run build` and `npm run test:unit`, which must run on Node 24 by itself.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../..');
const CACHE = process.env.HANDOFF_CACHE ?? path.join(os.homedir(), '.cache', 'n8n-nodes-handoff');

const major = (node: string) => Number(execFileSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());

/** A Node older than 24: the system's, or Node 22 from the npm registry into the cache when the system's is newer. */
function olderNode(): string {
	for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
		if (fs.existsSync(candidate) && major(candidate) < 24) return candidate;
	}
	const dir = path.join(CACHE, 'node22');
	const node = path.join(dir, 'node_modules', 'node', 'bin', 'node');
	if (!fs.existsSync(node)) {
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"handoff-node22","private":true}');
		execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'node@22'], { cwd: dir, stdio: 'inherit', env: cleanEnv(process.env.PATH ?? '') });
	}
	return node;
}

/** The environment of a new shell: none of the npm_* variables `npm test` hands its scripts. */
function cleanEnv(PATH: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key) && !key.startsWith('HANDOFF_TESTS') && !key.startsWith('JEST') && key !== 'NODE_OPTIONS') env[key] = value;
	}
	env.PATH = PATH;
	return env;
}

describe('a fresh checkout on an older Node: the README\'s commands', () => {
	let node: string;
	let clone: string;
	let env: NodeJS.ProcessEnv;
	const run = (command: string, args: string[]) => {
		const started = Date.now();
		const result = spawnSync(command, args, { cwd: clone, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
		const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
		console.log(`$ ${command} ${args.join(' ')}: exit ${result.status} after ${Date.now() - started} ms\n${output.split('\n').slice(-6).join('\n')}`);
		return { status: result.status, output };
	};

	beforeAll(() => {
		node = olderNode();
		// Node 24 must not be found on PATH: only the older Node, and the system tools (bash, git).
		env = cleanEnv([path.dirname(node), '/usr/local/sbin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(path.delimiter));
		clone = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-fresh-'));
		// What a clone of this checkout holds: tracked files and new ones that are not ignored.
		const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8' })
			.split('\0')
			.filter((file) => file && fs.lstatSync(path.join(REPO, file), { throwIfNoEntry: false })?.isFile());
		for (const file of files) {
			fs.mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
			fs.copyFileSync(path.join(REPO, file), path.join(clone, file));
		}
	});

	afterAll(() => {
		if (clone && !process.env.HANDOFF_E2E_KEEP) fs.rmSync(clone, { recursive: true, force: true });
	});

	test('npm install works, and the tests run on Node 24 without being told', () => {
		expect(major(node)).toBeLessThan(24);
		expect(run('node', ['--version']).output.trim()).toBe(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim());

		const install = run('npm', ['install', '--no-audit', '--no-fund']);
		expect(install.status).toBe(0);
		expect(install.output).not.toMatch(/gyp ERR|npm error/);
		expect(fs.existsSync(path.join(clone, 'node_modules', 'n8n-workflow', 'package.json'))).toBe(true);

		expect(run('npm', ['run', 'build', '--silent']).status).toBe(0);
		expect(fs.existsSync(path.join(clone, 'dist', 'nodes', 'Landbot', 'LandbotTrigger.node.js'))).toBe(true);

		// A unit suite that evaluates n8n expressions (isolated-vm, which only Node 24 loads here).
		const unit = run('npm', ['run', 'test:unit', '--', 'test/unit/node-descriptions.test.ts']);
		expect(unit.output).toMatch(/running on Node 24 from /);
		expect(unit.output).toMatch(/unit: [1-9]\d* passed, 0 failed/);
		expect(unit.status).toBe(0);
	});
});
