//! Serves a synthetic OAI-PMH repository from its own process, for benchmarks and manual tests.
//!
//! Prints the base URL on stdout once listening, then serves until killed.

use std::io::Write;
use std::process::ExitCode;

use sheaf_testkit::{Granularity, OaiRepository, Routes, TestServer, TestkitError};

const USAGE: &str = "\
usage: sheaf-test-oai [--records N] [--page-size P] [--port PORT] [--granularity day|second] [--gzip]

Serves a synthetic OAI-PMH repository at http://127.0.0.1:PORT/oai until killed, and prints that
URL on stdout once listening.

options:
  --records N        number of generated records (default 10000)
  --page-size P      records per ListRecords page (default 100)
  --port PORT        TCP port on 127.0.0.1; 0 picks a free one (default 0)
  --granularity G    datestamp granularity: day or second (default second)
  --gzip             compress responses for clients that accept gzip
  --help             print this help";

/// The parsed command line.
#[derive(Debug)]
struct Options {
    records: u64,
    page_size: usize,
    port: u16,
    granularity: Granularity,
    gzip: bool,
}

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if arguments.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse(&arguments) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("sheaf-test-oai: {error}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let repository = OaiRepository::new(options.records, options.page_size)
        .granularity(options.granularity)
        .gzip(options.gzip);
    let routes = Routes::new().route(repository.route("/oai"));
    let server = match TestServer::start_on(options.port, routes) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("sheaf-test-oai: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", server.url("/oai"));
    // The reader of stdout waits for this line, so it must not sit in a buffer.
    let _ = std::io::stdout().flush();

    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
        // Requests are recorded for tests; a long-running process has no use for them.
        server.take_requests();
    }
}

fn parse(arguments: &[String]) -> Result<Options, TestkitError> {
    let mut options = Options {
        records: 10_000,
        page_size: 100,
        port: 0,
        granularity: Granularity::Second,
        gzip: false,
    };
    let mut rest = arguments.iter();
    while let Some(option) = rest.next() {
        if option == "--gzip" {
            options.gzip = true;
            continue;
        }
        let known = ["--records", "--page-size", "--port", "--granularity"];
        if !known.contains(&option.as_str()) {
            let option = option.clone();
            return Err(TestkitError::UnknownOption { option });
        }
        let Some(value) = rest.next() else {
            let option = option.clone();
            return Err(TestkitError::MissingValue { option });
        };
        let invalid = |expected| TestkitError::InvalidOption {
            option: option.clone(),
            value: value.clone(),
            expected,
        };
        match option.as_str() {
            "--records" => {
                options.records = value.parse().map_err(|_| invalid("a whole number"))?;
            }
            "--page-size" => {
                options.page_size = match value.parse() {
                    Ok(size) if size > 0 => size,
                    _ => return Err(invalid("a whole number above 0")),
                };
            }
            "--port" => {
                options.port = value
                    .parse()
                    .map_err(|_| invalid("a port from 0 to 65535"))?
            }
            "--granularity" => {
                options.granularity = match value.as_str() {
                    "day" => Granularity::Day,
                    "second" => Granularity::Second,
                    _ => return Err(invalid("`day` or `second`")),
                };
            }
            _ => {
                return Err(TestkitError::UnknownOption {
                    option: option.clone(),
                });
            }
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parse_reads_every_option() {
        let options = parse(&args(
            "--records 5 --page-size 2 --port 8099 --granularity day --gzip",
        ))
        .unwrap();
        assert_eq!(options.records, 5);
        assert_eq!(options.page_size, 2);
        assert_eq!(options.port, 8099);
        assert_eq!(options.granularity, Granularity::Day);
        assert!(options.gzip);
    }

    #[test]
    fn parse_defaults() {
        let options = parse(&[]).unwrap();
        assert_eq!(options.records, 10_000);
        assert_eq!(options.page_size, 100);
        assert_eq!(options.port, 0);
        assert!(!options.gzip);
    }

    #[test]
    fn parse_rejects_bad_input() {
        let zero_page = parse(&args("--page-size 0")).unwrap_err();
        assert!(
            matches!(zero_page, TestkitError::InvalidOption { .. }),
            "{zero_page}"
        );
        let unknown = parse(&args("--pages 3")).unwrap_err();
        assert!(
            matches!(unknown, TestkitError::UnknownOption { .. }),
            "{unknown}"
        );
        let missing = parse(&args("--port")).unwrap_err();
        assert!(
            matches!(missing, TestkitError::MissingValue { .. }),
            "{missing}"
        );
        let port = parse(&args("--port 70000")).unwrap_err();
        assert_eq!(
            port.to_string(),
            "invalid value `70000` for `--port`: expected a port from 0 to 65535"
        );
    }
}
