// Whether this run is CI, where a skip would hide a missing browser, database or compiler. CI
// services set `CI` to many spellings ("true", "1", "yes", a name); any non-empty value counts
// except an explicit "false" or "0". Plain JavaScript so the mocha configs can load it too.
function inCI(env = process.env) {
  const value = String(env.CI ?? '')
    .trim()
    .toLowerCase();
  return value !== '' && value !== 'false' && value !== '0';
}

// The mocha options every suite shares: in CI an `.only` left in a file, or any skipped test,
// fails the run instead of passing quietly with fewer tests.
function strictInCI(env = process.env) {
  return { 'forbid-only': inCI(env), 'forbid-pending': inCI(env) };
}

module.exports = { inCI, strictInCI };
