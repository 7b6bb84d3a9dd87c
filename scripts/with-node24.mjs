#!/usr/bin/env node
// Runs a script on Node 24 (n8n 2.40 and isolated-vm 7 need it): on Node 24 in this process, on an
// older Node in a child process on the Node 24 that scripts/ensure-node24.sh installs into the cache once.
//   node scripts/with-node24.mjs <script> [args…]
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
if (!script) {
	console.error('usage: node scripts/with-node24.mjs <script> [args…]');
	process.exit(2);
}
if (Number(process.versions.node.split('.')[0]) >= 24) {
	delete process.env.npm_config_ignore_scripts; // see below
	process.argv = [process.argv[0], path.resolve(script), ...args];
	await import(pathToFileURL(path.resolve(script)).href);
} else {
	runOnNode24();
}

function runOnNode24() {
	let node;
	const ensure = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ensure-node24.sh');
	const started = Date.now();
	try {
		node = path.join(execFileSync('bash', [ensure], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim(), 'node');
	} catch {
		console.error(`Node ${process.versions.node} is too old and Node 24 could not be installed: run \`. scripts/ensure-node24.sh\` to see why.`);
		process.exit(1);
	}
	console.log(`(Node ${process.versions.node} here: running on Node 24 from ${path.dirname(node)}, found in ${Date.now() - started} ms)`);
	// Child processes that run `node` (jest workers, npm pack) get the same Node first on PATH.
	const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
	// .npmrc's ignore-scripts is for installing this repo's devDependencies, not for the installs the
	// tests make (Node 24, n8n's native modules).
	delete env.npm_config_ignore_scripts;
	// Ctrl-C reaches the child too (same process group): let it stop its n8n, then exit with it.
	process.on('SIGINT', () => {});
	const run = spawnSync(node, [script, ...args], { stdio: 'inherit', env });
	if (run.error) throw run.error;
	process.exit(run.status ?? 1);
}
