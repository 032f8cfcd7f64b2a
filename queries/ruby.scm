; The nodes fastlint reads in fastlane's Ruby files (Fastfile, Appfile, Matchfile, Deliverfile,
; Precheckfile). Each pattern names one node kind: tree-sitter compiles single-node patterns in a
; fraction of the time that field-constrained ones take (this query is compiled in every run), and
; src/extract/ruby.rs reads each captured node's fields (`method:`, `receiver:`, `arguments:`, ...).

; Every call. Without a receiver: an action (`pilot(...)`, `deliver username: "x"`), a lane or a
; method of the Fastfile, or a DSL word (`lane :beta do`, `platform :ios do`, `before_all do`,
; `import "..."`). With one: `ENV.fetch("X")`, `Spaceship::Tunes.login`, `Spaceship::ConnectAPI.token = t`.
(call) @call

; def upload_build(options) ... end
(method) @def

; A bare name: a call without arguments (`pilot`) or a local variable; told apart in Rust.
(identifier) @identifier

; Where local variables are declared, so that later bare uses of them are not calls.
(method_parameters) @declares
(block_parameters) @declares
(lambda_parameters) @declares
(destructured_parameter) @declares
(left_assignment_list) @declares
(destructured_left_assignment) @declares
(exception_variable) @declares
(keyword_parameter) @declares.name
(optional_parameter) @declares.name
(splat_parameter) @declares.name
(hash_splat_parameter) @declares.name
(block_parameter) @declares.name
(for) @declares.loop

; Names that are neither calls nor variables (`def self.name` too).
(singleton_method) @not_a_call
(alias) @not_a_call
(undef) @not_a_call
(setter) @not_a_call

; ENV["X"] (also ::ENV["X"])
(element_reference) @element

; x = ..., opts = { ... }, ENV["X"] = ..., ENV["X"] ||= ...
(assignment) @assign
(operator_assignment) @assign

; Spaceship::Tunes::Application, as a call's receiver or as a value
(scope_resolution) @constant_path

; Comments, for suppressions
(comment) @comment

; `fastlane pilot -u me` in backticks or %x(...): fastlane started from a shell (`sh(...)` and
; `system(...)` are calls, above)
(subshell) @subshell

; Heredocs, for the shell commands they hold (`sh <<~SH ... SH`): each body comes after its line, in
; the order of the `<<~SH` that open them.
(heredoc_beginning) @heredoc
(heredoc_body) @heredoc

; `cmd << " -u me"`: what is added to a variable's text, for the shell commands held in it.
(binary) @append

; The parts of the code that may not run: branches, loop and block bodies, rescue clauses and
; modifiers. A string assigned to a variable inside one may or may not be what a command held in
; the variable runs after it.
(then) @branch
(else) @branch
(do) @branch
(do_block) @branch
(block) @branch
(if_modifier) @branch
(unless_modifier) @branch
(while_modifier) @branch
(until_modifier) @branch
(rescue_modifier) @branch
(rescue) @branch
(conditional) @branch
