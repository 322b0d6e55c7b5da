import { parseSqlmapOutput } from '../../scripts/sqlmap-output';

/** Lines as sqlmap 1.7 (Debian) prints them; the clean run is from `npm run test:sqlmap`. */
const CLEAN = `
[18:35:20] [INFO] testing if POST parameter 'username' is dynamic
[18:35:20] [WARNING] POST parameter 'username' does not appear to be dynamic
[18:35:20] [WARNING] heuristic (basic) test shows that POST parameter 'username' might not be injectable
[18:35:22] [WARNING] POST parameter 'username' does not seem to be injectable
[18:35:23] [INFO] testing if POST parameter 'password' is dynamic
[18:35:24] [WARNING] heuristic (basic) test shows that POST parameter 'password' might not be injectable
[18:35:27] [WARNING] POST parameter 'password' does not seem to be injectable
[19:16:51] [WARNING] target URL content is not stable (i.e. content differs). sqlmap will base the page comparison on a sequence matcher. If no dynamic nor injectable parameters are detected, or in case of junk results, refer to user's manual paragraph 'Page comparison'
[18:35:27] [ERROR] all tested parameters do not appear to be injectable. Try to increase values for '--level'/'--risk' options if you wish to perform more tests. If you suspect that there is some kind of protection mechanism involved (e.g. WAF) maybe you could try to use option '--tamper'
`;

describe('reading sqlmap output', () => {
  it('when every parameter is reported clean then there is no finding and both are tested and clean', () => {
    const report = parseSqlmapOutput(CLEAN);
    expect(report.tested).toEqual(['POST username', 'POST password']);
    expect(report.clean).toEqual(['POST username', 'POST password']);
    expect(report.findings).toEqual([]);
    expect(report.blockers).toEqual([]);
  });

  it.each([
    `[INFO] GET parameter 'q' appears to be 'AND boolean-based blind - WHERE or HAVING clause' injectable`,
    `[INFO] GET parameter 'q' is 'PostgreSQL AND error-based - WHERE or HAVING clause' injectable`,
    `GET parameter 'q' is vulnerable. Do you want to keep testing the others (if any)? [y/N] N`,
    `sqlmap identified the following injection point(s) with a total of 46 HTTP(s) requests:`,
    `[INFO] heuristic (basic) test shows that GET parameter 'q' might be injectable (possible DBMS: 'PostgreSQL')`,
    `[INFO] heuristic (XSS) test shows that GET parameter 'q' might be vulnerable to cross-site scripting (XSS) attacks`,
  ])('when sqlmap says "%s" then it is a finding', (line) => {
    expect(parseSqlmapOutput(`${CLEAN}\n${line}\n`).findings).toHaveLength(1);
  });

  it.each([
    `[CRITICAL] unable to connect to the target URL. sqlmap is going to retry the request(s)`,
    `[ERROR] anti-CSRF token '_csrf' can't be found at 'http://127.0.0.1:3000/login', skipping to the next target`,
    `[CRITICAL] not authorized, try to provide right HTTP authentication type and valid credentials (401)`,
  ])('when sqlmap says "%s" then it is a blocker', (line) => {
    const report = parseSqlmapOutput(line);
    expect(report.blockers).toHaveLength(1);
    expect(report.findings).toEqual([]);
  });
});
