; Structure and calls of fastlane's Ruby files (Fastfile, Appfile, Matchfile, Deliverfile, Precheckfile).
; The Rust side (src/extract/ruby.rs) walks these captures; it never matches node shapes itself.

; lane :name do ... end   (also private_lane, override_lane)
(call
  !receiver
  method: (identifier) @lane.keyword
  arguments: (argument_list . (_) @lane.name)
  block: (_) @lane.block
  (#any-of? @lane.keyword "lane" "private_lane" "override_lane")) @lane

; platform :ios do ... end
(call
  !receiver
  method: (identifier) @platform.keyword
  arguments: (argument_list . (_) @platform.name)
  block: (_) @platform.block
  (#eq? @platform.keyword "platform")) @platform

; before_all do ... end, before_each, after_each, after_all, error
(call
  !receiver
  method: (identifier) @hook.keyword
  block: (_) @hook.block
  (#any-of? @hook.keyword "before_all" "before_each" "after_each" "after_all" "error")) @hook

; def upload_build(options) ... end
(method name: (_) @def.name) @def

; A call with no receiver: pilot(...), deliver username: "x", lane_name(param: 1)
(call !receiver method: (identifier) @call.name) @call

; A bare name: a call without arguments (`pilot`) or a local variable; told apart in Rust.
(identifier) @identifier

; Names that declare a local variable, so later bare uses of them are not calls.
(assignment left: (identifier) @local)
(operator_assignment left: (identifier) @local)
(left_assignment_list (identifier) @local)
(destructured_left_assignment (identifier) @local)
(method_parameters (identifier) @local)
(block_parameters (identifier) @local)
(lambda_parameters (identifier) @local)
(destructured_parameter (identifier) @local)
(keyword_parameter name: (identifier) @local)
(optional_parameter name: (identifier) @local)
(splat_parameter name: (identifier) @local)
(hash_splat_parameter name: (identifier) @local)
(block_parameter name: (identifier) @local)
(exception_variable (identifier) @local)
(for pattern: (identifier) @local)

; Names that are neither calls nor variables.
(alias (identifier) @not_a_call)
(undef (identifier) @not_a_call)
(setter (identifier) @not_a_call)

; A call on a receiver: ENV.fetch("X"), Spaceship::Tunes.login, Spaceship::ConnectAPI.token = t
(call receiver: (_) @rcall.receiver method: (_) @rcall.method) @rcall

; ENV["X"]
(element_reference
  object: (_) @env.object
  .
  (_) @env.key
  (#any-of? @env.object "ENV" "::ENV")) @env

; x = ..., ENV["X"] = ..., ENV["X"] ||= ...
(assignment left: (_) @assign.left right: (_) @assign.right) @assign
(operator_assignment left: (_) @assign.left right: (_) @assign.right) @assign

; Spaceship::Tunes::Application used as a value (not called, not part of a longer path)
(scope_resolution) @constant_path
(scope_resolution scope: (scope_resolution) @constant_path.inner)

; # comments (suppressions: `# fastlint: ignore FL001 -- reason`)
(comment) @comment
