import { connectionFailureReason } from '../../lib/db/connection';

describe('connectionFailureReason', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'connection refused'],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db' }, 'host name not found (DNS)'],
    [{ code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN db' }, 'host name not found (DNS)'],
    [
      { code: '28P01', message: 'password authentication failed for user "app"' },
      'authentication failed: password authentication failed for user "app"',
    ],
    [{ code: '57P03', message: 'the database system is starting up' }, 'the database system is starting up'],
    [{ code: '3D000', message: 'database "x" does not exist' }, 'database "x" does not exist'],
  ])('names the reason for %j', (err, reason) => {
    expect(connectionFailureReason(err)).toContain(reason);
  });
});
