/** Session ids: short, URL-safe (they appear in /s/<id> links and Redis keys). No imports: the browser uses it. */
export const SESSION_ID = /^[a-z0-9-]{1,40}$/;
export const SESSION_ID_RULE = 'session ids are 1-40 of a-z, 0-9 and -';
