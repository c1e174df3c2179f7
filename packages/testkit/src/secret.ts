/** The secret tests seal survey tokens with (services started by tests get the same one). */
export const TEST_SECRET = 'test-secret-key-0123456789abcdefghijklmnop';
