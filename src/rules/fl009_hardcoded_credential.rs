//! FL009 `hardcoded-credential`: an Apple password, session cookie or API private key is written into
//! a file.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, RuleInfo, Severity};
use crate::secrets::{self, SecretKind};

pub static INFO: RuleInfo = RuleInfo {
    code: "FL009",
    name: "hardcoded-credential",
    severity: Severity::Error,
    summary: "A credential is written into a file",
    explanation: "\
**What it finds.** Credentials written as literal values in the files fastlint reads:
- an Apple-ID password: `ENV[\"FASTLANE_PASSWORD\"] = \"...\"` (also `DELIVER_PASSWORD`), `password: \"...\"`
  given to an Apple action, the password argument of `Spaceship::Tunes.login(user, \"...\")`;
- a web-session cookie (`FASTLANE_SESSION`, `SPACESHIP_SESSION`) or an app-specific password
  (`FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD`) set to a literal;
- an App Store Connect API private key: a `-----BEGIN PRIVATE KEY-----` block with its body in a Ruby string,
  heredoc or comment, `key_content: \"...\"`, the `key` of an `api_key:` hash, `APP_STORE_CONNECT_API_KEY_KEY`,
  a JSON key file named by `api_key_path` whose `key` field holds the key, or a `.p8` file in the tree;
- the same variables set to literals in a fastlane `.env` file or a CI configuration file
  (`.github/workflows/*.yml`, `.gitlab-ci.yml`, `.circleci/config.yml`, `bitrise.yml`,
  `azure-pipelines.yml`, `Jenkinsfile`).

A value that is a reference is not a literal: `ENV[\"X\"]`, an interpolated string, `${{ secrets.X }}`,
`$VAR`, `$(VAR)`, Jenkins `credentials('id')` or `params.X`. Empty values, placeholders (`<password>`,
`xxxx`, `your-password`) and template files (`.env.example`, `.env.sample`, `.env.template`) are not
reported. A key header whose body is interpolated (`\"-----BEGIN PRIVATE KEY-----\\n#{body}\"`) and
`ENCRYPTED PRIVATE KEY` blocks are not reported either.

fastlint never prints the secret: the message shows its length only, and the source lines shown in the
text output have every credential replaced by `*`.

**Why it matters.** Anyone who can read the repository, its forks, CI logs or a leaked copy can sign in as
that Apple ID or call the App Store Connect API with the key: upload builds, change metadata, revoke
certificates. Removing the line later does not remove it from the history.

**The way out.** Treat the credential as leaked: change the password, revoke the API key in App Store
Connect (Users and Access, Integrations) and create a new one, delete the `.p8`/JSON file, and clean the
history if the repository is public. Then load the secret at run time from the CI secret store:
`key_content: ENV[\"ASC_KEY_CONTENT\"]` (store it base64-encoded with `is_key_content_base64: true`),
`FASTLANE_PASSWORD: ${{ secrets.FASTLANE_PASSWORD }}` in a workflow, `credentials('id')` in a Jenkinsfile.

**Example.**
```ruby
app_store_connect_api_key(
  key_id: \"ABC123DEFG\",
  issuer_id: ENV[\"ASC_ISSUER_ID\"],
  key_content: \"-----BEGIN PRIVATE KEY-----\\nMIGTAgEAMBMG...\\n-----END PRIVATE KEY-----\"   # FL009
)
```
becomes
```ruby
app_store_connect_api_key(
  key_id: \"ABC123DEFG\",
  issuer_id: ENV[\"ASC_ISSUER_ID\"],
  key_content: ENV[\"ASC_KEY_CONTENT_BASE64\"],
  is_key_content_base64: true
)
```",
    fixable: false,
};

pub const RULE: Rule = Rule { info: &INFO, check };

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (f, file) in cx.ws.files.iter().enumerate() {
        for secret in secrets::find(file) {
            let message = format!(
                "{} holds {} written as a literal: {}",
                upper_first(&secret.what),
                secret.kind.describe(),
                secret.redacted()
            );
            let help = match secret.kind {
                SecretKind::Password => "treat it as leaked: change the password, remove it from the repository, and move the lanes to an App Store Connect API key; until then load it from the CI secret store",
                SecretKind::Session => "treat it as leaked: sign out the session (change the password), remove it from the repository, and move the lanes to an App Store Connect API key",
                SecretKind::AppSpecificPassword => "treat it as leaked: revoke it at appleid.apple.com, remove it from the repository, and use an App Store Connect API key instead",
                SecretKind::PrivateKey => "treat it as leaked: revoke the key in App Store Connect (Users and Access, Integrations), remove it from the repository and its history, and load a new key from the CI secret store (`key_content: ENV[...]` with `is_key_content_base64: true`)",
            };
            out.push(Diagnostic::new(&INFO, f, secret.span, message).help(help));
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
