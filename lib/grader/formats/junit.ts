/**
 * JUnit XML, what CI servers and LMS plug-ins read: one <testsuite> per
 * student and exercise, one <testcase> per graded test, a <failure> with the
 * reason and transcript when it failed. Points ride along as a property.
 *
 *   <testsuites name="wirelab" tests="28" failures="14" time="12.3">
 *     <testsuite name="alice/01-udp-echo" tests="14" failures="0" time="3.1">
 *       <properties><property name="points" value="21/21"/></properties>
 *       <testcase classname="alice.01-udp-echo" name="step 1 › echoes" time="0.02"/>
 */
import type { BatchResult } from '../batch.ts';
import { failureText } from './test-name.ts';

/** Escapes text for an XML attribute or element (and drops characters XML 1.0 cannot carry). */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** The JUnit XML document of a batch. */
export function gradesJunit(batch: BatchResult): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const student of batch.students) {
    for (const report of student.exercises) {
      const failed = report.tests.filter((t) => t.state !== 'passed').length;
      tests += report.tests.length;
      failures += failed;
      const cases = report.tests.map((t) => {
        const open = `    <testcase classname="${xmlEscape(`${student.name}.${report.exercise}`)}" name="${xmlEscape([...t.suite, t.name].join(' › '))}" time="${seconds(t.durationMs)}"`;
        if (t.state === 'passed') return `${open}/>`;
        return `${open}>\n      <failure message="${xmlEscape(t.error?.message.split('\n')[0] ?? 'failed')}">${xmlEscape(failureText(t))}</failure>\n    </testcase>`;
      });
      const errors = report.errors.map((e) => `    <system-err>${xmlEscape(e.message)}</system-err>`);
      suites.push(
        `  <testsuite name="${xmlEscape(`${student.name}/${report.exercise}`)}" tests="${report.tests.length}" failures="${failed}" time="${seconds(report.durationMs)}">\n` +
          `    <properties><property name="points" value="${report.earned}/${report.possible}"/></properties>\n` +
          [...cases, ...errors].join('\n') +
          (cases.length + errors.length > 0 ? '\n' : '') +
          '  </testsuite>',
      );
    }
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="wirelab" tests="${tests}" failures="${failures}" time="${seconds(batch.durationMs)}">\n` +
    suites.join('\n') +
    (suites.length > 0 ? '\n' : '') +
    '</testsuites>\n'
  );
}
