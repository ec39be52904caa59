// `hatch-wizard ssh-config --remove NAME`: take hatch's Host block and pinned key for NAME out of ~/.ssh.
import {UsageError} from './common.js';

export async function sshConfigCommand(remove: string | undefined, out: (s: string) => void): Promise<number> {
	if (!remove)
		throw new UsageError('ssh-config needs --remove NAME (blocks are added by the wizard, or by --yes --ssh-config)');
	const {removeSshConfig} = await import('../sshconfig.js');
	out(await removeSshConfig(remove));
	return 0;
}
