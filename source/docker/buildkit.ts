// BuildKit's plain progress output (`docker compose --progress plain build`) turned into steps.
// Pure: feed it lines, read the steps. Memory stays bounded however much a step prints.
//   #8 [stem stem 4/9] RUN /usr/local/lib/hatch/install-packages.sh …
//   #8 0.092 hatch: all 15 packages already installed
//   #8 DONE 0.3s        |  #5 CACHED
//   #9 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1
import {KEY} from '../core/model.js';

export type StepStatus = 'running' | 'done' | 'cached' | 'error';

export interface BuildStep {
	id: number;
	title: string;
	/** "4" of "[stem 4/9]"; undefined for internal steps (load build definition, exporting…). */
	index?: number;
	total?: number;
	/** "stem" of "[neuron stem 4/9]": the Dockerfile stage; neuron's build has two. */
	stage?: string;
	status: StepStatus;
	seconds?: number;
	startedAt: number;
	/** The step's last output lines (bounded), BuildKit's timestamps dropped. */
	readonly lines: string[];
	error?: string;
}

const STEP_LINES = 30;

/** Removes what a terminal-oriented writer leaves in piped output: ESC[2K (erase line), \r, other CSI codes. */
// eslint-disable-next-line no-control-regex
const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Removes terminal control sequences (ESC[2K and the like) from a text. */
export function stripCodes(text: string): string {
	return text.includes('\x1b') ? text.replace(CSI, '') : text;
}

/**
 * Text that came from inside a container, safe to print: no escape sequences, no C0 or C1 controls but tab and
 * newline.
 */
export function printable(text: string): string {
	// Operating-system commands (ESC ] … BEL or ESC \: a window title, the clipboard) go whole, then CSI codes,
	// then every other control.
	// eslint-disable-next-line no-control-regex
	const osc = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
	// eslint-disable-next-line no-control-regex
	return stripCodes(text.replace(osc, '')).replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
}

export function cleanLine(line: string): string {
	if (!line.includes('\r') && !line.includes('\x1b')) return line;
	let s = line.endsWith('\r') ? line.slice(0, -1) : line;
	const cr = s.lastIndexOf('\r');
	s = s.slice(cr + 1); // all of it when there is none (-1)
	return s.includes('\x1b') ? s.replace(CSI, '') : s;
}

/** Whether text[from..end) is a BuildKit timestamp like 12.345 (checked without allocating). */
function isTimestamp(text: string, from: number, end: number): boolean {
	let dot = -1;
	for (let i = from; i < end; i++) {
		const c = text.charCodeAt(i);
		if (c === 46 && dot < 0) dot = i;
		else if (c < 48 || c > 57) return false;
	}
	return dot > from && dot < end - 1;
}

/** The step number of "#12 …" (the digits between # and the first space), or -1. */
function stepId(line: string, space: number): number {
	if (line.charCodeAt(0) !== 35 || space < 2) return -1;
	let id = 0;
	for (let i = 1; i < space; i++) {
		const c = line.charCodeAt(i);
		if (c < 48 || c > 57) return -1;
		id = id * 10 + (c - 48);
	}
	return id;
}

export class BuildProgress {
	readonly steps = new Map<number, BuildStep>();
	/** Lines that are not part of a step (compose's own messages, the final error). */
	readonly other: string[] = [];
	/** Each step's output, by step number. */
	private readonly output = new Map<number, Recent>();

	/** Takes one line of output, already cleaned (stream() does that; see cleanLine). */
	feed(line: string, now?: number): void {
		const space = line.indexOf(' ');
		const id = stepId(line, space);
		const step = this.steps.get(id); // none for -1
		const at = space + 1;
		const c = line.charCodeAt(at);
		// The hot path, a known step's output ("#8 0.092 output…"): a digit after the step number (the endings
		// start with a capital). The line is kept as it came, cut only when read: a flood of output allocates
		// nothing here, and this path is small, so that it is compiled early.
		if (step && c >= 48 && c <= 57) this.output.get(id)!.add(line, at);
		else if (step) this.end(step, line, at);
		else if (id >= 0) this.start(id, line.slice(at), now);
		else if (line.trim()) push(this.other, line, STEP_LINES);
	}

	/** A step's first line: "#8 [stem stem 4/9] RUN …", or a numbered line that is not a step. */
	private start(id: number, rest: string, now?: number): void {
		const title = rest.startsWith('[') ? /^\[([^\]]+)\] (.*)$/.exec(rest) : null;
		if (!title) {
			// "#0 building with "default" instance…": not a step.
			push(this.other, rest, STEP_LINES);
			return;
		}
		const pos = /(?:(\S+)\s+)?(\d+)\/(\d+)$/.exec(title[1]!);
		const place = pos ? {index: Number(pos[2]), total: Number(pos[3]), ...(pos[1] ? {stage: pos[1]} : {})} : {};
		const output = new Recent(STEP_LINES);
		this.output.set(id, output);
		this.steps.set(id, {
			id,
			title: title[2]!,
			status: 'running',
			startedAt: now ?? Date.now(),
			get lines() {
				return output.lines();
			},
			...place,
		});
	}

	/** A known step's line that does not start with a digit: an ending, or output. */
	private end(step: BuildStep, line: string, at: number): void {
		if (line.length === at + 6 && line.startsWith('CACHED', at)) step.status = 'cached';
		else if (line.startsWith('DONE ', at) && line.endsWith('s')) {
			step.status = 'done';
			step.seconds = Number(line.slice(at + 5, -1));
		} else if (line.startsWith('ERROR', at)) {
			step.status = 'error';
			step.error = line.slice(at).replace(/^ERROR:?\s*/, '');
		} else if (line.length === at + 8 && line.startsWith('CANCELED', at)) {
			step.status = 'error';
			step.error = 'canceled';
		} else this.output.get(step.id)!.add(line, at);
	}

	/** The stages in the order their first step appeared (neuron builds stem, then neuron). */
	private stages(): string[] {
		const seen: string[] = [];
		for (const s of this.steps.values())
			if (s.index !== undefined && !seen.includes(s.stage ?? '')) seen.push(s.stage ?? '');
		return seen;
	}

	/** Numbered steps ("4/9"), stage by stage, in order. */
	numbered(): BuildStep[] {
		const order = this.stages();
		return [...this.steps.values()]
			.filter(s => s.index !== undefined)
			.sort(
				(a, b) => order.indexOf(a.stage ?? '') - order.indexOf(b.stage ?? '') || a.index! - b.index! || a.id - b.id,
			);
	}

	/** Done and cached numbered steps, out of the sum of each stage's own total. */
	counts(): {done: number; cached: number; total: number} {
		const numbered = this.numbered();
		const perStage = new Map<string, number>();
		for (const s of numbered) perStage.set(s.stage ?? '', Math.max(perStage.get(s.stage ?? '') ?? 0, s.total ?? 0));
		return {
			done: numbered.filter(s => s.status === 'done' || s.status === 'cached').length,
			cached: numbered.filter(s => s.status === 'cached').length,
			total: [...perStage.values()].reduce((a, b) => a + b, 0),
		};
	}

	/** Where a step is, in words: "step 4/9", "step neuron 2/4" when there are two stages, or "a build step". */
	position(step: BuildStep): string {
		if (step.index === undefined) return 'a build step';
		return `step ${this.stages().length > 1 && step.stage ? `${step.stage} ` : ''}${step.index}/${step.total}`;
	}

	current(): BuildStep | undefined {
		const running = [...this.steps.values()].filter(s => s.status === 'running');
		return running[running.length - 1];
	}

	failed(): BuildStep | undefined {
		return [...this.steps.values()].find(s => s.status === 'error' && s.error !== 'canceled');
	}
}

/**
 * The last lines of a step's output, each kept whole with where its text starts, in a ring: the timestamp is
 * dropped when the lines are read (a screen reads a few times a second, while a build can print 100k lines).
 */
class Recent {
	private readonly raw: string[] = [];
	private readonly from: number[] = [];
	private count = 0;
	constructor(private readonly max: number) {}

	/** A line whose text starts at `from`, or after the timestamp there if there is one. */
	add(line: string, from: number): void {
		const i = this.count++ % this.max;
		this.raw[i] = line;
		this.from[i] = from;
	}

	lines(): string[] {
		const n = Math.min(this.count, this.max);
		const out: string[] = [];
		for (let k = this.count - n; k < this.count; k++) {
			const i = k % this.max;
			const line = this.raw[i]!;
			const at = this.from[i]!;
			const gap = line.indexOf(' ', at);
			out.push(isTimestamp(line, at, gap) ? line.slice(gap + 1) : line.slice(at));
		}
		return out;
	}
}

function push(list: string[], line: string, max: number): void {
	list.push(line);
	if (list.length > max) list.shift();
}

/** The usual causes of a failed build or start, recognised in its output, with what to do. */
export function hintFor(output: string): string | undefined {
	const rules: [RegExp, string][] = [
		[
			/Cannot connect to the Docker daemon|Is the docker daemon running/i,
			'the Docker daemon is not running: sudo systemctl start docker (Linux) or open Docker Desktop',
		],
		[
			/permission denied.*docker\.sock/i,
			'no permission on the Docker socket: sudo usermod -aG docker $USER, then log out and in',
		],
		[
			/address already in use|port is already allocated/i,
			`the SSH port is taken: pick another ${KEY.port} (hatch-wizard --set ${KEY.port}=…)`,
		],
		[
			/could not select device driver "nvidia"|unknown or invalid runtime name: nvidia|nvidia-container-cli/i,
			'GPUs were requested but the NVIDIA container runtime is missing: install nvidia-container-toolkit and ' +
				`restart Docker, or set ${KEY.gpus}=none`,
		],
		[
			new RegExp(
				'pull access denied|manifest unknown|failed to resolve source metadata|not found: manifest|' +
					'no such host|failed to do request',
				'i',
			),
			`the base image could not be pulled: check ${KEY.baseImage} and your network (or docker login)`,
		],
		[/no space left on device/i, 'the disk is full: docker system prune frees space'],
		[
			/network bridge not found/i,
			`this Docker engine has no bridge network: set ${KEY.network}=host (--set ${KEY.network}=host)`,
		],
		[
			/Temporary failure resolving|Could not resolve host|Failed to fetch .*(InRelease|\.deb)|Unable to locate package/i,
			"the build could not reach the package servers (network or DNS): check this host's network and Docker's DNS " +
				'(dockerd --dns), or use a base image that already has the packages',
		],
		[/bind source path does not exist/i, 'a host path in .env does not exist: create it or clear the setting'],
	];
	return rules.find(([re]) => re.test(output))?.[1];
}
