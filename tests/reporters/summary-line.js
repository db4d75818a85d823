/**
 * Prints the run's totals as one plain line ("jest: N passed, N failed, N skipped"),
 * the closing-line format CI tooling reads in any language.
 */
class SummaryLineReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stdout.write(
      `jest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryLineReporter;
