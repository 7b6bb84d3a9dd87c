/**
 * Reads a V8 CPU profile (`node --cpu-prof`, written when n8n exits) and sums where n8n's main
 * thread spent a round's time: self time per function and per package, and inclusive time per
 * package and function. The profile's clock is CLOCK_MONOTONIC in µs, the same as
 * process.hrtime in this process, so it is cut to exactly a round's window.
 */
import * as fs from 'fs';
import * as path from 'path';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}

interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

export interface Share {
	name: string;
	ms: number;
	/** Of the busy (non-idle) time sampled in the window. */
	pct: number;
}

export interface ProfileSummary {
	label: string;
	busyMs: number;
	idleMs: number;
	selfByFunction: Share[];
	selfByPackage: Share[];
	inclusiveByPackage: Share[];
	inclusiveByFunction: Share[];
	/** Time handing out isolates (each acquisition creates a fresh isolated-vm isolate), by who asked. */
	isolateAcquiredBy: Share[];
}

/**
 * Where an isolate is handed out: n8n-workflow's Expression.acquireIsolate (eager: every acquisition
 * takes a fresh isolated-vm isolate), or the runtime's acquireBridgeSync (lazy: on first evaluation).
 */
const ACQUIRERS = new Set(['acquireIsolate', 'acquireBridgeSync']);
/** Frames between an acquisition and whoever needed it: expression plumbing, parameter getters. */
const PLUMBING = /(@n8n\/expression-runtime|n8n-workflow)\/|n8n-core\/dist\/execution-engine\/node-execution-context\//;

/** The first frame above the acquisition (toward the root) that is not plumbing. */
function isolateRequester(stack: ProfileNode[]): string | undefined {
	const at = stack.findIndex((node) => ACQUIRERS.has(node.callFrame.functionName));
	if (at < 0) return undefined;
	const caller = stack.slice(at + 1).find((node) => !PLUMBING.test(node.callFrame.url));
	return caller ? functionOf(caller.callFrame) : '(unknown)';
}

/** The profile a process wrote into `dir` (file names end in .<pid>.<thread>.<seq>.cpuprofile). */
export function profileOf(dir: string, pid: number): CpuProfile | undefined {
	const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile')) : undefined;
	return file ? (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile) : undefined;
}

/** The package a script belongs to: the last node_modules/<package> of its path. */
function packageOf(frame: CallFrame): string {
	if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
	if (frame.url.startsWith('node:')) return 'node (built-in)';
	const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
	return match ? match[1] : path.basename(frame.url);
}

function functionOf(frame: CallFrame): string {
	const where = frame.url ? ` ${packageOf(frame)}/${path.basename(frame.url)}:${frame.lineNumber + 1}` : '';
	return `${frame.functionName || '(anonymous)'}${where}`;
}


function top(totals: Map<string, number>, busyMs: number, count: number): Share[] {
	return [...totals]
		.sort((a, b) => b[1] - a[1])
		.slice(0, count)
		.map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: busyMs > 0 ? Math.round((us / 10 / busyMs) * 10) / 10 : 0 }));
}

const add = (totals: Map<string, number>, key: string, us: number) => totals.set(key, (totals.get(key) ?? 0) + us);

/** Sums the samples taken between fromUs and toUs; "(program)" is native work outside any JavaScript frame. */
export function summarizeProfile(label: string, profile: CpuProfile, window: { fromUs: number; toUs: number }): ProfileSummary {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

	const self = { fn: new Map<string, number>(), pkg: new Map<string, number>() };
	const requesters = new Map<string, number>();
	const inclusive = { fn: new Map<string, number>(), pkg: new Map<string, number>() };
	let busyUs = 0;
	let idleUs = 0;
	let at = profile.startTime;
	profile.samples.forEach((id, i) => {
		at += profile.timeDeltas[i] ?? 0;
		if (at < window.fromUs || at > window.toUs) return;
		const us = profile.timeDeltas[i + 1] ?? 0; // until the next sample
		const leaf = byId.get(id)!;
		if (leaf.callFrame.functionName === '(idle)') return void (idleUs += us);
		busyUs += us;
		add(self.fn, functionOf(leaf.callFrame), us);
		add(self.pkg, packageOf(leaf.callFrame), us);
		const stack: ProfileNode[] = [];
		for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
			if (node.callFrame.functionName === '(root)') break;
			stack.push(node);
		}
		const seen = { fn: new Set(stack.map((n) => functionOf(n.callFrame))), pkg: new Set(stack.map((n) => packageOf(n.callFrame))) };
		const requester = isolateRequester(stack);
		if (requester) add(requesters, requester, us);
		for (const key of seen.fn) add(inclusive.fn, key, us);
		for (const key of seen.pkg) add(inclusive.pkg, key, us);
	});
	const busyMs = busyUs / 1000;
	return {
		label,
		busyMs: Math.round(busyMs),
		idleMs: Math.round(idleUs / 1000),
		selfByFunction: top(self.fn, busyMs, 15),
		selfByPackage: top(self.pkg, busyMs, 12),
		inclusiveByPackage: top(inclusive.pkg, busyMs, 12),
		inclusiveByFunction: top(inclusive.fn, busyMs, 25),
		isolateAcquiredBy: top(requesters, busyMs, 10),
	};
}
