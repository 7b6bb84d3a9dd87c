/**
 * The Salesforce Enhanced Chat (MIAW) simulator (see simulator.ts); its code is split by API area,
 * one layer of the class per file.
 */
export { SalesforceEnhancedChatSimulator } from './simulator';
export { SseClient } from './sseClient';
export type { SseMessage } from './sseClient';
export type {
	SalesforceEnhancedChatSimulatorOptions,
	EnhancedChatConversationView,
	EnhancedChatTranscriptLine,
	EnhancedChatEntryJson,
	EnhancedChatApiCall,
	AgentSaysInput,
	AgentAttachmentInput,
	FailRule as EnhancedChatFailRule,
	SenderRole as EnhancedChatSenderRole,
	RoutingStatus as EnhancedChatRoutingStatus,
	SessionStatus as EnhancedChatSessionStatus,
} from './common';
