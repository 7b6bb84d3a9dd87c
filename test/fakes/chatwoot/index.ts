/**
 * The Chatwoot simulator (see simulator.ts); its code is split by API area, one layer of the class
 * per file.
 */
export { ChatwootSimulator } from './simulator';
export type { ChatwootSeed, ChatwootUserView, CustomerWritesInput } from './simulator';
export { WEBHOOK_EVENTS as CHATWOOT_WEBHOOK_EVENTS, AGENT_BOT_EVENTS as CHATWOOT_AGENT_BOT_EVENTS } from './common';
export type {
	ChatwootSimulatorOptions,
	ChatwootApiCall,
	ChatwootDeliveryAttempt,
	ConversationStatus as ChatwootConversationStatus,
	DeliveryKind as ChatwootDeliveryKind,
	UploadedFile as ChatwootUploadedFile,
} from './common';
