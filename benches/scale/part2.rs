//! Part 2 data for the benchmark's handbooks, as DESIGN.md Part 2 specifies it: 1,000 risks
//! (each selecting controls, with treatment actions and a valid acceptance), 300
//! nonconformities, 20 internal-audit and management-review records, and two frameworks.
//! Every item is valid on the bench's date, so `build` succeeds and measures the work.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

pub const RISKS: usize = 1000;
pub const NONCONFORMITIES: usize = 300;
pub const RECORDS: usize = 20;

/// The configuration lines Part 2 adds to `ismsbook.toml`.
pub const CONFIG: &str = "[risk]\naccept_roles = [\"CEO\"]\n[frameworks]\nenabled = [\"nis2\", \"gdpr\"]\n[audit]\ninterval = \"12 months\"\ncycle = \"36 months\"\n[management_review]\ninterval = \"12 months\"\n";

/// The acceptance digest of DESIGN.md: the assessment in canonical form.
fn digest(l: u32, i: u32, controls: &[&str], residual: (u32, u32)) -> String {
    let mut sorted: Vec<&str> = controls.to_vec();
    let key = |c: &&str| -> Vec<u32> {
        c.trim_start_matches("A.")
            .split('.')
            .map(|n| n.parse().unwrap())
            .collect()
    };
    sorted.sort_by_key(key);
    let text = format!(
        "likelihood={l}\nimpact={i}\ntreatment=modify\ncontrols={}\nresidual={}x{}\n",
        sorted.join(","),
        residual.0,
        residual.1
    );
    let hex: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Writes `content/risks.yaml`, `content/nonconformities.yaml` and the records.
pub fn write(dir: &Path, controls: &[String]) {
    let content = dir.join("content");
    let mut risks = String::new();
    for r in 0..RISKS {
        let picked: Vec<&str> = (0..3)
            .map(|k| controls[(3 * r + k) % controls.len()].as_str())
            .collect();
        let (l, i) = (1 + (r % 5) as u32, 1 + ((r / 5) % 5) as u32);
        let residual = (1 + (l > 1) as u32, 1 + (i > 2) as u32);
        let done = r % 2 == 0;
        write!(
            risks,
            "R-{n:04}:\n  title: Risk {r} to the service's information\n  owner: CISO\n  likelihood: {l}\n  impact: {i}\n  treatment: modify\n  controls: [{c}]\n  actions:\n    - id: T-{n:04}\n      action: Treatment of risk {r}\n      owner: CISO\n      due: {due}\n      status: {status}\n{done_line}  residual: {{ likelihood: {rl}, impact: {ri} }}\n  review: {{ last: 2026-10-01 }}\n  acceptance:\n    by: Bench Approver\n    role: CEO\n    date: 2026-10-01\n    digest: {d}\n",
            n = r + 1,
            c = picked.join(", "),
            due = if done { "2026-09-30" } else { "2027-06-30" },
            status = if done { "done" } else { "planned" },
            done_line = if done { "      done: 2026-09-20\n" } else { "" },
            rl = residual.0,
            ri = residual.1,
            d = digest(l, i, &picked, residual),
        )
        .unwrap();
    }
    std::fs::write(content.join("risks.yaml"), risks).unwrap();

    let mut ncs = String::new();
    for k in 0..NONCONFORMITIES {
        let (year, n) = (2024 + k / 100, k % 100 + 1);
        let closed = k % 3 != 0;
        write!(
            ncs,
            "NC-{year}-{n:02}:\n  raised: {year}-03-15\n  source: internal-audit\n  severity: minor\n  description: Finding {k} of an internal audit\n  controls: [{c}]\n  clauses: []\n  root_cause: A step of the procedure was not followed\n  correction: Corrected on the day\n  actions:\n    - {{ id: CA-{year}-{n:02}-1, action: Procedure step made explicit, owner: CISO, due: {due}, status: {status}{done} }}\n{tail}",
            c = controls[k % controls.len()],
            due = if closed { format!("{year}-05-15") } else { "2027-05-15".into() },
            status = if closed { "done" } else { "in-progress" },
            done = if closed { format!(", done: {year}-05-01") } else { String::new() },
            tail = if closed {
                format!("  effectiveness: {{ checked: {year}-06-01, by: CISO, effective: true }}\n  closed: {year}-06-01\n")
            } else {
                String::new()
            },
        )
        .unwrap();
    }
    std::fs::write(content.join("nonconformities.yaml"), ncs).unwrap();

    std::fs::create_dir_all(content.join("records")).unwrap();
    let per = controls.len().div_ceil(RECORDS / 2);
    for k in 0..RECORDS {
        let date = format!("2026-{:02}-10", 1 + k % 10);
        let record = if k % 2 == 0 {
            let scope: Vec<&str> = controls
                .iter()
                .skip(k / 2 * per)
                .take(per)
                .map(String::as_str)
                .collect();
            format!("record:\n  kind: internal-audit\n  date: {date}\n  auditor: Bench Auditor\n  independent: true\n  scope: {{ clauses: [\"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\"], controls: [{}] }}\n  findings: []\n", scope.join(", "))
        } else {
            format!("record:\n  kind: management-review\n  date: {date}\n  attendees: [CEO, CISO]\n  inputs: [previous-actions, context-changes, interested-parties, performance, feedback, risks, improvement]\n  actions: []\n")
        };
        let front = format!(
            "---\nid: REC-{:04}\ntitle: Record {k}\ntype: record\nversion: \"1.0\"\nstatus: draft\nowner: CISO\nclassification: internal\n{record}---\n\n# Record {k}\n\nWhat was done, by whom, and what was found.\n",
            k + 1
        );
        std::fs::write(content.join(format!("records/rec-{k:02}.md")), front).unwrap();
    }
}
