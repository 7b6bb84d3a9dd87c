/** The bench's results as text tables (stdout) and as JSON (a file). */
import * as fs from 'fs';
import * as path from 'path';

import type { Share } from './profile';
import type { Ratios, WaySummary } from './summary';
import type { BenchResults, SideResult } from './suite';

const show = (value: number | null | undefined) => (value === null || value === undefined ? '–' : String(value));

function table(header: string[], rows: string[][]): string {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)].join('\n');
}

const WAY_HEADER = ['way', 'msg/s', 'e2e p50', 'p95', 'p99', 'ack p50', 'p95', 'CPU ms/msg', 'peak RSS MB', 'lost/dup/reord', 'retries', 'delivered'];

function wayRow(w: WaySummary, label = w.way): string[] {
	return [
		label,
		show(w.msgPerSec),
		show(w.e2eMs.p50),
		show(w.e2eMs.p95),
		show(w.e2eMs.p99),
		show(w.ackMs.p50),
		show(w.ackMs.p95),
		show(w.cpuMsPerMessage),
		show(w.peakRssMB),
		`${w.lost}/${w.duplicated}/${w.reordered}`,
		show(w.landbotRetries),
		`${w.delivered}/${w.sent}${w.complete ? '' : ' (timed out)'}`,
	];
}

function ratioRow(label: string, r: Ratios): string[] {
	return [label, show(r.msgPerSec), show(r.e2eP50), show(r.e2eP95), '', show(r.ackP50), '', show(r.cpuMsPerMessage), show(r.peakRssMB), '', '', ''];
}

function sideTable(title: string, results: SideResult[]): string {
	if (results.length === 0) return '';
	const rows = results.flatMap((s) =>
		s.error ? [[`${s.experiment}: FAILED ${s.error.split('\n')[0].slice(0, 80)}`, ...WAY_HEADER.slice(1).map(() => '')]] : s.ways.map((w) => wayRow(w, `${s.experiment} · ${w.way}`)),
	);
	return `\n${title}\n${table(['experiment · way', ...WAY_HEADER.slice(1)], rows)}\n`;
}

function batchText(results: BenchResults): string {
	if (results.batchProbeError) return `\nBatching what-if: FAILED ${results.batchProbeError.split('\n')[0]}`;
	if (results.batchProbe.length === 0) return '';
	const rows = results.batchProbe.map((b) => [
		String(b.itemsPerExecution),
		String(b.executions),
		show(b.msgPerSec),
		show(b.cpuMsPerMessage),
		`${b.lost}/${b.duplicated}`,
		`${b.delivered}/${b.sent}`,
	]);
	const header = ['messages per execution', 'executions', 'msg/s', 'CPU ms/msg', 'lost/dup', 'delivered'];
	return `\nBatching what-if (ours, deliveries posted straight to the trigger, 4 in flight):\n${table(header, rows)}`;
}

function shares(title: string, list: Share[], count: number): string {
	return `  ${title}:\n${list
		.slice(0, count)
		.map((s) => `    ${String(s.ms).padStart(6)} ms ${String(s.pct).padStart(5)}%  ${s.name}`)
		.join('\n')}`;
}

function profileText(results: BenchResults): string {
	const failed = results.profileError ? `\nCPU profile: FAILED ${results.profileError.split('\n')[0]}` : '';
	return `${failed}${results.profile
		.map((p) => {
			const byThread = results.profileThreads?.[p.label] ?? {};
			const threads = Object.entries(byThread)
				.sort((a, b) => b[1] - a[1])
				.map(([name, ms]) => `${name} ${ms} ms`)
				.join(', ');
			// Node 24 names its main thread MainThread. CPU it used that the profiler saw no JavaScript for was
			// spent outside the main isolate (isolated-vm's isolates run on this thread).
			const mainThreadMs = byThread.MainThread ?? byThread.node;
			const unseen = mainThreadMs === undefined ? '' : `; main thread CPU ${mainThreadMs} ms, ${Math.max(0, mainThreadMs - p.busyMs)} ms of it not seen as busy`;
			return [
				`\nCPU profile of n8n's main thread, round of ${p.label}: ${p.busyMs} ms busy, ${p.idleMs} ms idle${unseen}`,
				`  CPU by thread (whole group, /proc; the profiler itself is v8:ProfEvntProc): ${threads}`,
				shares('self time by package', p.selfByPackage, 10),
				shares('inclusive time by package', p.inclusiveByPackage, 10),
				shares('self time by function', p.selfByFunction, 12),
				shares('inclusive time by function', p.inclusiveByFunction, 20),
				shares('time acquiring an isolate (synchronous part), by who asked', p.isolateAcquiredBy, 8),
			].join('\n');
		})
		.join('\n')}`;
}

export function textReport(results: BenchResults): string {
	const c = results.config;
	const rows = results.ways.map((w) => wayRow(w));
	if (results.ratios) {
		rows.push(ratioRow('ours/generic', results.ratios.oursToGeneric), ratioRow('ours/floor', results.ratios.oursToFloor));
	}
	return [
		`\nHandoff relay bench: ${c.rounds} interleaved round(s) × ${c.conversations} conversations × ${c.messages} messages, ` +
			`offered ${c.rate} msg/s; ${results.machine.cpus} CPUs, load average ${results.machine.loadAverageAtStart.join(' ')} at start, ` +
			`${results.machine.loadAverageAtEnd.join(' ')} at end`,
		'(latencies in ms; e2e = sent at Landbot → visible in Tiledesk; ack = Landbot delivery → answer; CPU and RSS of the whole process group)\n',
		table(WAY_HEADER, rows),
		batchText(results),
		sideTable(`Settings (${c.sideMessages} messages per conversation, ours and generic on an n8n each):`, results.settings),
		sideTable(`Queue mode (ours; a webhook process, workers of concurrency 10; ${c.sideMessages} messages per conversation):`, results.queue),
		profileText(results),
	]
		.filter((part) => part !== '')
		.join('\n');
}

export function writeJson(results: BenchResults, file: string): void {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
