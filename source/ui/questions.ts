// The wizard's questions, in order, for a stack and the answers so far. Pure: recomputed on every render,
// so a question appears or disappears as earlier answers change (no BINDU_REF without a BINDU_REPO).
import {DOCKER_DESKTOP_AGENT, type Inspection} from '../host/inspect.js';
import {type Stack, type Values, field} from '../core/model.js';

export interface Option {
	label: string;
	value: string;
}

export interface Question {
	key: string;
	/** Step title shown in the header. */
	step: string;
	prompt: string;
	help: string;
	/** Select from these; a value of OTHER switches to a text field for the same key. */
	options?: Option[];
}

export const OTHER = '\u0000other';

export const STEPS = ['Image', 'Container', 'Identity', 'SSH', 'Mounts', 'Dotfiles', 'Pixi', 'Secrets', 'Agent', 'GPU', 'Image and volumes'] as const;

function text(step: string, key: string, prompt: string): Question {
	return {key, step, prompt, help: field(key)?.help ?? ''};
}

function choice(step: string, key: string, prompt: string, options: Option[]): Question {
	return {key, step, prompt, help: field(key)?.help ?? '', options};
}

const yesNo = (yes: string, no: string): Option[] => [
	{label: yes, value: '1'},
	{label: no, value: '0'},
];

/** Adds the current value as an option when a preset or .env chose something not offered here. */
function withCurrent(options: Option[], current: string | undefined, label: (v: string) => string): Option[] {
	if (current === undefined || options.some(o => o.value === current)) return options;
	return [...options, {label: label(current), value: current}];
}

export function questions(stack: Stack, values: Values, inspection?: Inspection): Question[] {
	const q: Question[] = [];
	q.push(text('Container', 'STEM_CONTAINER_NAME', 'Container name'));
	q.push(text('Container', 'STEM_HOSTNAME', 'Hostname inside the container'));

	q.push(text('Identity', 'STEM_USER', 'Your user name inside the container'));
	// Run as root, the host ids are 0: the container user must not be root, so the default is 1000. Say so.
	const asRoot = inspection?.identity.uid === 0;
	const rootNote = ' You run hatch-wizard as root, so this defaults to 1000 (the container user must not be root): use the id of the host user who owns the files you mount (id -u NAME, id -g NAME).';
	q.push({...text('Identity', 'STEM_UID', 'User id (UID)'), ...(asRoot ? {help: `${field('STEM_UID')!.help}.${rootNote}`} : {})});
	q.push({...text('Identity', 'STEM_GID', 'Group id (GID)'), ...(asRoot ? {help: `${field('STEM_GID')!.help}.${rootNote}`} : {})});
	q.push(choice('Identity', 'STEM_SUDO', 'sudo for this user?', yesNo('yes, passwordless sudo', 'no sudo')));

	q.push(
		choice('SSH', 'STEM_NETWORK_MODE', 'How is SSH reached?', [
			{label: 'bridge: publish a port (works everywhere, Docker Desktop too)', value: 'bridge'},
			{label: 'host: share the host network (Linux; sshd listens on the host directly)', value: 'host'},
		]),
	);
	q.push(text('SSH', 'STEM_SSH_LISTEN', values.STEM_NETWORK_MODE === 'host' ? 'Address sshd listens on' : 'Host address the port is published on'));
	q.push(text('SSH', 'STEM_SSH_PORT', 'SSH port on the Docker host'));
	const keys = inspection?.publicKeys.value ?? [];
	q.push(
		choice(
			'SSH',
			'STEM_AUTH_KEYS_PATH',
			'Which public key may log in?',
			withCurrent(
				[...keys.map(k => ({label: `${k} (detected)`, value: k})), {label: 'another file…', value: OTHER}, {label: 'none for now (add keys later)', value: ''}],
				values.STEM_AUTH_KEYS_PATH,
				v => `${v} (current)`,
			),
		),
	);

	q.push(text('Mounts', 'DROPBOX_PATH_ON_HOST', inspection?.dropbox.value ? 'Dropbox folder (detected; empty for none)' : 'Dropbox folder (empty for none)'));
	if (stack === 'neuron') {
		q.push(text('Mounts', 'NEURON_PROJECTS_PATH', 'Projects folder for /workspace/projects (empty for none)'));
		q.push(text('Mounts', 'NEURON_DATASETS_PATH', 'Datasets folder for /workspace/datasets (empty for none)'));
		q.push(text('Mounts', 'NEURON_MODELS_PATH', 'Models folder for /workspace/models (empty for none)'));
		q.push(text('Mounts', 'NEURON_EXTRA_MOUNTS', 'More mounts, HOST:CONTAINER[:ro], comma-separated (empty for none)'));
	}

	q.push(text('Dotfiles', 'BINDU_REPO', 'Dotfiles repository to clone into ~/.config (empty to skip)'));
	if (values.BINDU_REPO) {
		q.push(text('Dotfiles', 'BINDU_REF', 'Branch or tag'));
		q.push(choice('Dotfiles', 'BINDU_FORCE', 'If ~/.config is not empty…', yesNo('replace it (the old one is kept as ~/.config.bak-<time>)', 'leave it alone')));
	}

	q.push(choice('Pixi', 'STEM_PIXI_ENABLE', 'Install pixi?', yesNo('yes, when missing', 'no')));
	if (values.STEM_PIXI_ENABLE === '1') {
		q.push(
			choice('Pixi', 'STEM_PIXI_STOW', 'Link your host pixi-global.toml from the dotfiles?', [
				{label: 'auto: when the dotfiles have one for this host', value: 'auto'},
				{label: 'always try (warn when missing)', value: '1'},
				{label: 'never', value: '0'},
			]),
		);
		q.push(choice('Pixi', 'STEM_PIXI_GLOBAL_SYNC', 'Run `pixi global sync` at boot?', yesNo('yes', 'no')));
		q.push(text('Pixi', 'STEM_PIXI_HOST', 'Pixi host folder name (empty: the container hostname)'));
		q.push(text('Pixi', 'STEM_PIXI_INSTALL_URL', 'Pixi installer URL'));
	}

	q.push(text('Secrets', 'APOGEE_SECRETS_PATH', 'Apogee secrets file on this host (empty for none)'));

	const sockets = [
		...(inspection?.agent.value ? [inspection.agent.value] : []),
		...(inspection?.docker.value?.desktop || inspection?.platform === 'darwin' ? [DOCKER_DESKTOP_AGENT] : []),
	];
	if (sockets.length || values.STEM_SSH_AUTH_SOCK_HOST) {
		q.push(
			choice(
				'Agent',
				'STEM_SSH_AUTH_SOCK_HOST',
				'Forward this host’s ssh-agent into the container?',
				withCurrent(
					[...sockets.map(s => ({label: `yes: ${s}${s === DOCKER_DESKTOP_AGENT ? ' (Docker Desktop)' : ' (detected)'}`, value: s})), {label: 'no', value: ''}],
					values.STEM_SSH_AUTH_SOCK_HOST,
					v => `yes: ${v} (current)`,
				),
			),
		);
	}

	if (stack === 'neuron') {
		const gpus = inspection?.gpus.value?.gpus ?? [];
		const options: Option[] = [{label: gpus.length ? 'none' : 'none (no GPU found on this host)', value: 'none'}];
		if (gpus.length) {
			options.unshift({label: `all ${gpus.length} GPU(s)`, value: 'all'});
			// One GPU is named by its UUID: a lone number would mean "that many GPUs".
			for (const g of gpus.filter(x => x.uuid)) {
				options.push({label: `only GPU ${g.index}: ${g.name}${g.memoryMiB ? `, ${Math.round(g.memoryMiB / 1024)} GiB` : ''}`, value: g.uuid!});
			}
		}
		q.push(choice('GPU', 'NEURON_GPUS', 'GPUs for the container', withCurrent(options, values.NEURON_GPUS, v => `${v} (current; not detected here)`)));
	}

	q.push(text('Image and volumes', 'STEM_IMAGE', 'Name:tag for the built image'));
	q.push(text('Image and volumes', 'STEM_BASE_IMAGE', 'Base image to build FROM'));
	q.push(choice('Image and volumes', 'STEM_BUILD_NETWORK', 'Which network does the image build use?', [
		{label: 'default: Docker\'s own', value: 'default'},
		{label: 'host: this host\'s network (no bridge network, or a VPN only the host reaches)', value: 'host'},
	]));
	q.push(choice('Image and volumes', 'STEM_VOLUMES_EXTERNAL', 'Who creates the volumes?', [
		{label: 'compose creates them on first start', value: '0'},
		{label: 'I create them once (docker volume create); compose never removes them', value: '1'},
	]));
	return q;
}
