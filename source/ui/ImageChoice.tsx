// The image step: stem or neuron. An image chosen before the host checks answered waits for them here,
// since its defaults come from them.
import {Spinner} from '@inkjs/ui';
import {Text} from 'ink';
import type {Image} from '../core/model.js';
import {SelectList} from './fields.js';
import {useKeys} from './keys.js';
import {Step} from './Step.js';

const ITEMS: {label: string; value: Image}[] = [
	{label: 'stem: an Ubuntu dev container you SSH into', value: 'stem'},
	{label: 'neuron: stem plus an ML workbench with GPU access', value: 'neuron'},
];

export function ImageChoice({
	image,
	initial,
	waiting,
	onChoose,
	onBack,
}: {
	/** The image chosen before, named in the header. */
	image?: Image;
	initial: Image;
	waiting: boolean;
	onChoose: (image: Image) => void;
	onBack: () => void;
}) {
	return (
		<Step image={image} step="Image">
			<Text bold>Which container?</Text>
			{waiting ? (
				<Spinner label="Finishing the host checks…" />
			) : (
				<ImageSelect initial={initial} onChoose={onChoose} onBack={onBack} />
			)}
		</Step>
	);
}

function ImageSelect({initial, onChoose, onBack}: {initial: Image; onChoose: (s: Image) => void; onBack: () => void}) {
	useKeys(
		key => {
			if (key.kind !== 'escape') return;
			onBack();
			return 'done';
		},
		{passive: true},
	);
	return (
		<SelectList
			items={ITEMS}
			initialIndex={ITEMS.findIndex(i => i.value === initial)}
			onSelect={item => onChoose(item.value)}
		/>
	);
}
