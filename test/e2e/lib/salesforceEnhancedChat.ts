/**
 * Helpers for the Landbot ↔ Salesforce Enhanced Chat end-to-end suite: the templates (19–21) and the
 * credential they reference, the Enhanced Chat simulator, and readers of what the agent sees (the
 * simulator's transcript of a conversation) and of the event streams n8n opened.
 */
import { SalesforceEnhancedChatSimulator } from '../../fakes';
import type {
	EnhancedChatApiCall,
	EnhancedChatTranscriptLine,
	SalesforceEnhancedChatSimulatorOptions,
} from '../../fakes';

export const ENHANCED_CHAT_TEMPLATE_FILES = {
	/** Landbot's Webhook block → Start Conversation (transcript, name, context) → the customer field, assign, greeting. */
	handoff: '19-landbot-salesforce-enhanced-handoff.json',
	/** Landbot customer messages → Send Message; the session ended → back to the bot. */
	customerToAgent: '20-landbot-to-salesforce-enhanced.json',
	/** Salesforce Enhanced Chat Trigger → the customer; no agent or the chat ended → back to the bot. */
	agentToCustomer: '21-salesforce-enhanced-to-landbot.json',
} as const;

/** Nodes of the templates the suite addresses by name. */
export const ENHANCED_CHAT_NODES = {
	handoffRequested: 'Handoff requested',
	customerMessage: 'Customer message in a Salesforce chat',
	salesforceEvent: 'Salesforce event',
} as const;

/** The credential the templates reference (fixed ID and name, as templates.ts does for the others). */
export const ENHANCED_CHAT_CREDENTIAL = {
	id: 'salesforce-enhanced-chat-credential',
	name: 'Salesforce Enhanced Chat account',
	type: 'salesforceEnhancedChatApi',
} as const;

/** The Landbot customer field in which template 19 keeps the conversation (ID, access token, context). */
export const CONVERSATION_FIELD = 'sf_conversation';

export const SSE_PATH = '/eventrouter/v1/sse';

export async function startEnhancedChat(opts: SalesforceEnhancedChatSimulatorOptions = {}): Promise<SalesforceEnhancedChatSimulator> {
	return await new SalesforceEnhancedChatSimulator(opts).start();
}

/** As a user copies it from the deployment's code snippet (the simulator's URL plays the SCRT URL). */
export function enhancedChatCredential(sim: SalesforceEnhancedChatSimulator) {
	const { id, name, type } = ENHANCED_CHAT_CREDENTIAL;
	return {
		id,
		name,
		type,
		data: { scrtUrl: sim.baseUrl, organizationId: sim.orgId, deploymentName: sim.deploymentName, capabilitiesVersion: '1' },
	};
}

/** The conversation object template 19 saved in the customer field. */
export interface SavedConversation {
	id: string;
	accessToken: string;
	subject: string;
	lastEventId: string;
	expiresAt: string | null;
	context?: Record<string, unknown>;
}

/** The messages in a conversation, as the agent's console lists them (typing, routing and the like left out). */
export function messagesIn(sim: SalesforceEnhancedChatSimulator, conversationId: string): EnhancedChatTranscriptLine[] {
	return sim.transcript(conversationId).filter((line) => line.entryType === 'Message');
}

/** What the customer's side wrote (the relay, as the end user): the transcript first, then each relayed message. */
export function endUserMessages(sim: SalesforceEnhancedChatSimulator, conversationId: string): string[] {
	return messagesIn(sim, conversationId)
		.filter((line) => line.role === 'EndUser')
		.map((line) => line.text);
}

/** The event stream requests made with a conversation's access token, oldest first. */
export function streamCallsOf(sim: SalesforceEnhancedChatSimulator, conversation: { accessToken: string }): EnhancedChatApiCall[] {
	return sim
		.getCalls()
		.filter((call) => call.path === SSE_PATH && call.headers.authorization === `Bearer ${conversation.accessToken}`);
}

/** The customer's API calls for a conversation (message sends, entry reads, session end…), oldest first. */
export function conversationCallsOf(sim: SalesforceEnhancedChatSimulator, conversation: { id: string }): EnhancedChatApiCall[] {
	return sim.getCalls().filter((call) => call.path.includes(`/conversation/${conversation.id}`));
}
