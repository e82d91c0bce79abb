use clap::Args;

use super::{Ctx, Exit};
use crate::validate::schema::SITE_SCHEMA;

/// Print the site JSON Schema (the same file as schemas/site.schema.json).
///
/// Editors use it through yaml-language-server: put
/// `# yaml-language-server: $schema=<path or URL of site.schema.json>`
/// on the first line of a site file.
#[derive(Debug, Args)]
pub struct SchemaArgs {}

pub fn run(_ctx: &mut Ctx, _args: SchemaArgs) -> Exit {
    print!("{SITE_SCHEMA}");
    Exit::Ok
}
