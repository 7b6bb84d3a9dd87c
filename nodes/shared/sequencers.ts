import type { SequencerOptions } from './deliveryOptions';
import { DeliverySequencer } from './sequencer';

/** One sequencer per trigger node of a workflow, in this process's memory (see sequencer.ts). */
const sequencers = new Map<string, DeliverySequencer>();

/** The sequencer of one trigger node of one workflow, in this process; options follow the node's. */
export function sequencerFor(id: string, options: SequencerOptions): DeliverySequencer {
	const existing = sequencers.get(id);
	if (existing) {
		existing.options = options;
		return existing;
	}
	const created = new DeliverySequencer(options);
	sequencers.set(id, created);
	return created;
}
