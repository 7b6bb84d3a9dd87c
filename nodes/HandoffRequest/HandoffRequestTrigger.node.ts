import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { MAX_BODY_DEPTH, nestedTooDeep, rejectBadRequest, rejectTooDeep, rejectUnauthorized, secretsMatch } from '../shared';
import {
	bodyObject,
	credentialProblem,
	HANDOFF_REQUEST_CREDENTIAL,
	MIN_SECRET_LENGTH,
	secretHeaderOf,
} from './request';

type Respond = 'immediately' | 'lastNode';

/**
 * A bot's call for a human (Landbot's Webhook block, or any bot that can make an HTTP request),
 * checked against a shared secret header. Unlike n8n's Webhook node it hands the workflow no request
 * headers: the secret never reaches the execution data, where anyone who may read executions would
 * see it.
 */
export class HandoffRequestTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Handoff Request Trigger',
		name: 'handoffRequestTrigger',
		icon: { light: 'file:handoffRequest.svg', dark: 'file:handoffRequest.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["path"] ? "POST /" + $parameter["path"] : "POST" }}',
		description:
			'Starts the workflow when a bot asks for a human: an HTTP call with a shared secret header, such as Landbot\'s Webhook block makes. The secret is checked and kept out of the execution.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#handoff-request-trigger',
		defaults: { name: 'Handoff Request Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'handoffRequestApi', required: true, testedBy: 'handoffRequestSecret' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// "Immediately" is answered by webhook() itself; otherwise n8n answers once the execution
				// has ended (500 if it failed), with the last node's first item or an empty body.
				responseMode: 'lastNode',
				responseData: '={{$parameter["responseBody"] === "none" ? "noData" : "firstEntryJson"}}',
				isFullPath: true,
				path: '={{$parameter["path"]}}',
			},
		],
		properties: [
			{
				displayName:
					'Your bot POSTs to the Production URL above, with the credential\'s header and a JSON object as body. The workflow gets one item with the body, the query and the time received (body, query, receivedAt): no request headers, so the secret is in no execution.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Path',
				name: 'path',
				type: 'string',
				default: '',
				placeholder: 'landbot-handoff-start',
				description:
					'What follows /webhook/ in the URL your bot calls. Empty: the node\'s webhook ID. Each published workflow needs a path of its own.',
			},
			{
				displayName: 'Respond',
				name: 'respond',
				type: 'options',
				options: [
					{
						name: 'Immediately',
						value: 'immediately',
						description: 'Answer {"received": true} at once, then run the workflow (the bot goes on without waiting)',
					},
					{
						name: 'When Last Node Finishes',
						value: 'lastNode',
						description:
							'Answer with the first item of the last node once the workflow has ended, or 500 if it failed',
					},
				],
				default: 'immediately',
			},
			{
				displayName:
					'The bot waits for the whole workflow: keep it short, or the bot\'s call may time out while the workflow still runs.',
				name: 'lastNodeNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { respond: ['lastNode'] } },
			},
			{
				displayName: 'Response Body',
				name: 'responseBody',
				type: 'options',
				options: [
					{ name: 'First Item of the Last Node', value: 'firstItem', description: 'Its JSON (500 when the last node gave no item)' },
					{ name: 'None', value: 'none', description: 'An empty 200 once the workflow has ended, whatever its last node gave' },
				],
				default: 'firstItem',
				displayOptions: { show: { respond: ['lastNode'] } },
			},
		],
	};

	methods = {
		credentialTest: {
			/** Nothing to call: the secret is only received. Checks that calls can be verified with it. */
			async handoffRequestSecret(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const data = credential.data ?? {};
				const problem = credentialProblem(data);
				if (problem) return { status: 'Error', message: problem };
				if (String(data.secret).length < MIN_SECRET_LENGTH) {
					return {
						status: 'Error',
						message: `The secret is shorter than ${MIN_SECRET_LENGTH} characters: use a long random string`,
					};
				}
				return { status: 'OK', message: 'Header name and secret are usable' };
			},
		},
	};

	/** Nothing is registered anywhere: the bot is given the URL by hand. Publishing checks the credential. */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const problem = credentialProblem(await this.getCredentials(HANDOFF_REQUEST_CREDENTIAL));
				if (problem) {
					throw new NodeOperationError(this.getNode(), `${problem} in the Handoff Request API credential`);
				}
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials(HANDOFF_REQUEST_CREDENTIAL);
		const header = secretHeaderOf(credentials);
		if ('error' in header || !secretsMatch(credentials.secret, this.getHeaderData()[header.header])) {
			return rejectUnauthorized(this);
		}
		const tooDeep = rejectTooDeep(this);
		if (tooDeep) return tooDeep;

		const request = this.getRequestObject();
		if (request.rawBody === undefined && typeof request.readRawBody === 'function') await request.readRawBody();
		const parsed = bodyObject(this.getBodyData(), request.rawBody);
		if ('error' in parsed) return rejectBadRequest(this, parsed.error);
		if (nestedTooDeep(parsed.body)) return rejectBadRequest(this, `nested deeper than ${MAX_BODY_DEPTH} levels`);

		const item: INodeExecutionData = {
			json: {
				body: parsed.body,
				query: { ...(this.getQueryData() as IDataObject) },
				receivedAt: new Date().toISOString(),
			},
		};
		if ((this.getNodeParameter('respond', 'immediately') as Respond) === 'lastNode') {
			return { workflowData: [[item]] };
		}
		this.getResponseObject().status(200).json({ received: true }).end();
		return { noWebhookResponse: true, workflowData: [[item]] };
	}
}
