import type { IExecuteFunctions } from 'n8n-workflow';

import type { EnhancedConversation } from '../conversation';
import { followConversation } from '../follow';
import { deploymentKey, enhancedChatConfig } from '../transport';

/** The triggers of this process follow the conversation with this token from now on (follow.ts). */
export async function follow(context: IExecuteFunctions, conversation: EnhancedConversation): Promise<void> {
	followConversation(deploymentKey(await enhancedChatConfig(context)), conversation);
}
