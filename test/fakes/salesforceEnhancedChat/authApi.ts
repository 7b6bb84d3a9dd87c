import * as http from 'http';
import * as crypto from 'crypto';

import { isObject } from '../http';
import { bad, fail, unauthorized } from './common';
import type { Ctx, Reply, TokenRecord } from './common';
import { EnhancedChatState } from './state';
import { jwtPayload, signJwt, stableUuid } from './wire';

/**
 * The token endpoints (`/iamessage/api/v2/authorization/...`): guest and verified access tokens,
 * continuation tokens, revocation; and the Bearer check every other call makes.
 */
export abstract class EnhancedChatAuthApi extends EnhancedChatState {
	/** The valid token a call carries as `Authorization: Bearer`, or the 401 to answer. */
	protected bearer(headers: http.IncomingHttpHeaders): TokenRecord | Reply {
		const header = headers.authorization;
		const match = /^Bearer\s+(\S+)$/i.exec(Array.isArray(header) ? header[0] : (header ?? ''));
		const record = match ? this.tokens.get(match[1]) : undefined;
		// The sheet: 401 = JWT invalid or expired (SA drops the token). Revoked: the same.
		if (!record || record.revoked || Date.now() >= record.expiresAt) return unauthorized();
		return record;
	}

	/** The sheet [RL]: 200 token and 200 renew requests per minute per org; every request counts (CHOICE). */
	private rateLimited(bucket: 'token' | 'renew'): Reply | undefined {
		const now = Date.now();
		const times = this.tokenRequests[bucket].filter((t) => now - t < 60_000);
		times.push(now);
		this.tokenRequests[bucket] = times;
		if (times.length > this.options.tokenRequestsPerMinute) return fail(429, 'Too many requests');
		return undefined;
	}

	private issueToken(subject: string, verified: boolean, deviceId: string, expiresAt?: number): TokenRecord {
		const issuedAt = Date.now();
		const record: TokenRecord = {
			token: '',
			subject,
			clientId: crypto.randomUUID(),
			verified,
			deviceId,
			issuedAt,
			expiresAt: expiresAt ?? issuedAt + this.options.tokenTtlMs,
			revoked: false,
		};
		// CHOICE: the claims besides `sub` and `exp` (the sheet: read the JWT's `exp`). `exp` is in
		// whole seconds, rounded down: a client trusting it never holds an expired token.
		record.token = signJwt(
			{
				sub: subject,
				clientId: record.clientId,
				orgId: this.options.orgId,
				iat: Math.floor(issuedAt / 1000),
				exp: Math.floor(record.expiresAt / 1000),
				jti: crypto.randomUUID(),
			},
			this.secret,
		);
		this.tokens.set(record.token, record);
		this.subjectRecord(subject, verified);
		return record;
	}

	private tokenReply(record: TokenRecord): Reply {
		// CHOICE: 200. The sheet [CW][SA][VG]: {accessToken, lastEventId, context}; no expiry field.
		return {
			status: 200,
			body: {
				accessToken: record.token,
				// CHOICE: the subject's stream position ('0' for a new end user), as a decimal string.
				lastEventId: String(this.subjects.get(record.subject)?.lastEventId ?? 0),
				context: {
					deviceId: record.deviceId,
					endUser: { subject: record.subject },
					configuration: {
						embeddedServiceConfig: {
							name: this.options.deploymentName,
							// The sheet [AUTH]: a Custom Client deployment shows deploymentType "api".
							deploymentType: 'api',
							embeddedServiceMessagingChannel: { channelAddressIdentifier: this.channelAddressIdentifier },
						},
					},
				},
			},
		};
	}

	/** POST …/authorization/unauthenticated/access-token and …/authenticated/access-token. */
	protected accessToken(ctx: Ctx, authenticated: boolean): Reply {
		const limited = this.rateLimited('token');
		if (limited) return limited;
		const body = ctx.body;
		if (!isObject(body)) return bad('Request body must be a JSON object');
		// CHOICE: an unknown org or deployment is a 400; capabilitiesVersion and platform are required
		// (SA always sends "1" and "Web").
		if (body.orgId !== this.options.orgId) return bad('Invalid orgId');
		if (body.esDeveloperName !== this.options.deploymentName) return bad('Invalid esDeveloperName');
		for (const field of ['capabilitiesVersion', 'platform']) {
			if (typeof body[field] !== 'string' || body[field] === '') return bad(`${field} is required`);
		}
		if (body.context !== undefined && !isObject(body.context)) return bad('context must be an object');
		if (body.deviceId !== undefined && typeof body.deviceId !== 'string') return bad('deviceId must be a string');
		const deviceId = typeof body.deviceId === 'string' && body.deviceId !== '' ? body.deviceId : crypto.randomUUID();
		if (authenticated) {
			// The sheet [AUTH]: authorizationType "JWT" and customerIdentityToken. CHOICE: anything else is a 400.
			if (body.authorizationType !== 'JWT') return bad('authorizationType must be JWT');
			if (typeof body.customerIdentityToken !== 'string' || body.customerIdentityToken === '') {
				return bad('customerIdentityToken is required');
			}
			// CHOICE: any well-formed JWT with a `sub` verifies (no keys are configured). The sheet (VG): a
			// bad one silently gives a guest token, so clients check for `/AUTH/` in the subject.
			const sub = jwtPayload(body.customerIdentityToken)?.sub;
			if (typeof sub === 'string' && sub !== '') {
				// INFERRED: the same verified user gets the same subject (so they can rejoin).
				const subject = `v2/iamessage/AUTH/NA/uid:${stableUuid(`${this.options.orgId}|${sub}`)}`;
				return this.tokenReply(this.issueToken(subject, true, deviceId));
			}
		}
		// The sheet (inference): a new guest token is a new subject that cannot rejoin.
		return this.tokenReply(this.issueToken(`v2/iamessage/UNAUTH/NA/uid:${crypto.randomUUID()}`, false, deviceId));
	}

	/** GET …/authorization/continuation-access-token: same subject, new clientId, same expiry [SA]. */
	protected continuationToken(ctx: Ctx): Reply {
		const limited = this.rateLimited('renew');
		if (limited) return limited;
		const current = this.bearer(ctx.headers);
		if ('status' in current) return current;
		// UNCONFIRMED: the old token stays valid until it expires.
		return this.tokenReply(this.issueToken(current.subject, current.verified, current.deviceId, current.expiresAt));
	}

	/** DELETE …/authorization/authenticated/access-token revokes the Bearer token. */
	protected revokeToken(ctx: Ctx): Reply {
		const current = this.bearer(ctx.headers);
		if ('status' in current) return current;
		// CHOICE: 204; only the token presented is revoked (not others of the same subject).
		current.revoked = true;
		return { status: 204 };
	}
}
