fn main() {
    let lang: tree_sitter::Language = tree_sitter_ruby::LANGUAGE.into();
    for f in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&f).unwrap();
        let t = std::time::Instant::now();
        let _q = tree_sitter::Query::new(&lang, &src).unwrap();
        println!("{f}: {:?}", t.elapsed());
    }
}
