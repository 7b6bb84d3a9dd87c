/** Starts and stops the bare Node.js relay (floor-relay.mts) as a child process group of its own. */
import { spawn, type ChildProcess } from 'child_process';
import * as path from 'path';

import { REPO_ROOT, processGroupMembers, toolchain } from '../test/e2e/lib/n8n';

export interface FloorRelay {
	url: string;
	pgid: number;
	stop(): Promise<void>;
}

// The source, also when this file runs compiled from .cache/bench.
const SCRIPT = path.join(REPO_ROOT, 'bench', 'floor-relay.mts');

export async function startFloorRelay(opts: {
	hookToken: string;
	tiledeskProjectUrl: string;
	tiledeskAuthorization: string;
	maxMs: number;
}): Promise<FloorRelay> {
	// Node 24 runs the .mts source itself (type stripping); the same binary n8n runs on.
	const node = path.join(toolchain().nodeBin, 'node');
	const child = spawn(node, [SCRIPT], {
		detached: true, // a group of its own, measured like an n8n process
		stdio: ['pipe', 'pipe', 'inherit'],
		env: {
			PATH: process.env.PATH,
			FLOOR_HOOK_TOKEN: opts.hookToken,
			FLOOR_TILEDESK_PROJECT_URL: opts.tiledeskProjectUrl,
			FLOOR_TILEDESK_AUTHORIZATION: opts.tiledeskAuthorization,
			FLOOR_MAX_MS: String(opts.maxMs),
		},
	});
	const port = await listeningPort(child);
	return {
		url: `http://127.0.0.1:${port}`,
		pgid: child.pid!,
		stop: () => stopChild(child),
	};
}

function listeningPort(child: ChildProcess): Promise<number> {
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error('floor relay did not start in 10 s')), 10_000);
		child.once('exit', (code) => reject(new Error(`floor relay exited (${code})`)));
		child.stdout!.on('data', (chunk) => {
			out += chunk;
			const line = out.split('\n').find((l) => l.startsWith('{'));
			if (!line) return;
			clearTimeout(timer);
			resolve(JSON.parse(line).port);
		});
	});
}

async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	child.stdin!.end(); // it exits by itself when stdin closes
	const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
	await exited;
	clearTimeout(timer);
	while (child.pid && processGroupMembers(child.pid).length > 0) await new Promise((r) => setTimeout(r, 50));
}
