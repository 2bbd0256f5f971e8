// The dashboard in a real browser (Debian's headless Chromium, driven through chromedriver's
// WebDriver protocol): to come.
