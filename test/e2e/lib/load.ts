/**
 * A bounded competing CPU load, as other workloads on a shared n8n machine make: `processes` busy
 * loops, each busy `duty` of every 100 ms, at normal priority. Each exits by itself after `maxMs`,
 * so a crashed test cannot leave one behind.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as os from 'os';

export interface CpuLoad {
	stop(): Promise<void>;
}

export function startCpuLoad(opts: { processes?: number; duty?: number; maxMs?: number } = {}): CpuLoad {
	const processes = opts.processes ?? os.cpus().length;
	const duty = Math.min(1, Math.max(0.05, opts.duty ?? 0.9));
	const maxMs = opts.maxMs ?? 10 * 60_000;
	const script = `
		const end = Date.now() + ${maxMs};
		const pause = new Int32Array(new SharedArrayBuffer(4));
		while (Date.now() < end) {
			const until = Date.now() + ${Math.round(duty * 100)};
			let x = 0;
			while (Date.now() < until) x += Math.sqrt(x + 1);
			Atomics.wait(pause, 0, 0, ${Math.round((1 - duty) * 100)});
		}`;
	const children: ChildProcess[] = Array.from({ length: processes }, () =>
		spawn(process.execPath, ['-e', script], { stdio: 'ignore' }),
	);
	return {
		async stop() {
			await Promise.all(
				children.map(
					(child) =>
						new Promise<void>((resolve) => {
							if (child.exitCode !== null || child.signalCode !== null) return resolve();
							child.once('exit', () => resolve());
							child.kill('SIGKILL');
						}),
				),
			);
		},
	};
}
