# frozen_string_literal: true

# Evaluates a Fastfile with stand-in fastlane DSL methods and prints, as JSON,
# the actions each lane runs (with their options) when started from the CLI.
#
#   ruby tests/ruby/harness.rb path/to/fastlane/Fastfile
#
# Output:
#   {"load": [...actions run while loading the file...],
#    "lanes": {"ios beta": {"private": false, "actions": [
#       {"action": "pilot", "options": {"changelog": "x"}, "args": [], "key": true}, ...]}}}
#
# Nothing talks to Apple, the network or the shell: every action is recorded and
# returns a stand-in value. `ENV` is a fake whose reads return "ENV[NAME]" (or the
# value written earlier in the same run) and whose writes are recorded.

require "json"
require "stringio"

module FastlaneHarness
  KEY_ENV_VARS = %w[APP_STORE_CONNECT_API_KEY_PATH APP_STORE_CONNECT_API_KEY].freeze

  # The value returned by actions: supports arithmetic, comparison, indexing and
  # string conversion, and stays printable.
  class Stub
    attr_reader :__label

    def initialize(label)
      @__label = label
    end

    def to_s
      @__label
    end
    alias to_str to_s
    alias inspect to_s

    def to_i
      0
    end

    def to_a
      []
    end

    def coerce(other)
      [Stub.new(FastlaneHarness.label(other)), self]
    end

    def method_missing(name, *args, &_block)
      rendered = args.map { |a| FastlaneHarness.label(a) }.join(", ")
      Stub.new("#{@__label}.#{name}(#{rendered})")
    end

    def respond_to_missing?(_name, _include_private = false)
      true
    end

    %i[+ - * / % < > <= >= <=>].each do |op|
      define_method(op) { |other| Stub.new("#{@__label} #{op} #{FastlaneHarness.label(other)}") }
    end
  end

  # What `app_store_connect_api_key` returns.
  class ApiKey < Hash
  end

  # The lane context. A hash put under APP_STORE_CONNECT_API_KEY by hand is an API key, as the
  # one `app_store_connect_api_key` puts there.
  class LaneContext < Hash
    def []=(name, value)
      value = ApiKey[value] if name == :APP_STORE_CONNECT_API_KEY && value.is_a?(Hash) && !value.is_a?(ApiKey)
      super(name, value)
    end
  end

  # Modules standing in for fastlane's and Spaceship's Ruby API (UI, Spaceship,
  # FastlaneCore, ...). Calls on them are recorded as "Path.method".
  def self.stub_module(path, recorder)
    mod = Module.new
    mod.define_singleton_method(:const_missing) do |name|
      if path.end_with?("SharedValues")
        name
      else
        sub = FastlaneHarness.stub_module("#{path}::#{name}", recorder)
        const_set(name, sub)
        sub
      end
    end
    mod.define_singleton_method(:method_missing) do |name, *args, &_block|
      return recorder.lane_context if name == :lane_context

      recorder.spaceship_call(path, name, args)
    end
    mod.define_singleton_method(:respond_to_missing?) { |*_a| true }
    mod.define_singleton_method(:to_s) { path }
    mod.define_singleton_method(:inspect) { path }
    mod
  end

  # Folders above the Fastfile, longest first, so that two copies of a project in
  # different places print the same paths.
  def self.folders=(list)
    @folders = list
  end

  def self.unplace(text)
    (@folders || []).each_with_index.reduce(text) do |t, (dir, up)|
      t.include?(dir) ? t.gsub(dir, "<up #{up}>") : t
    end
  end

  def self.label(value)
    case value
    when ApiKey then "<api_key>"
    when Stub then value.__label
    when String then unplace(value)
    when Symbol then ":#{value}"
    when nil then "nil"
    when Proc then "<proc>"
    else value.to_s
    end
  end

  def self.normalise(value)
    case value
    when ApiKey then "<api_key>"
    when Hash
      value.each_with_object({}) do |(k, v), h|
        h[k.is_a?(Symbol) ? k.to_s : k.inspect] = normalise(v)
      end
    when Array then value.map { |v| normalise(v) }
    else label(value)
    end
  end

  # Fake ENV: reads return "ENV[NAME]" unless written earlier in the run.
  class FakeEnv
    def initialize(recorder)
      @recorder = recorder
    end

    def [](name)
      written = @recorder.env_written
      written.key?(name.to_s) ? written[name.to_s] : "ENV[#{name}]"
    end

    def fetch(name, *_default)
      self[name]
    end

    def []=(name, value)
      @recorder.env_write(name.to_s, value)
    end
    alias store []=

    def key?(_name)
      true
    end
    alias has_key? key?
    alias include? key?

    def delete(name)
      @recorder.record("ENV.delete", {}, [name.to_s])
      nil
    end

    def to_h
      @recorder.env_written.dup
    end

    def each(&block)
      to_h.each(&block)
    end

    def method_missing(name, *args, &_block)
      Stub.new("ENV.#{name}(#{args.map { |a| FastlaneHarness.label(a) }.join(', ')})")
    end

    def respond_to_missing?(_name, _include_private = false)
      true
    end
  end

  Lane = Struct.new(:platform, :name, :private, :block)

  # The object a Fastfile is evaluated in (fastlane evaluates it in a FastFile
  # instance; we do the same with this one).
  class Sandbox
    def self.const_missing(name)
      # Only reached when no harness-provided constant matches.
      FastlaneHarness.stub_module(name.to_s, Thread.current[:fastlane_harness])
    end

    def initialize(recorder)
      @__recorder = recorder
    end

    def method_missing(name, *args, &block)
      @__recorder.call(name, args, &block)
    end

    def respond_to_missing?(_name, _include_private = false)
      true
    end

    # Kernel methods that would print or run something.
    def puts(*args)
      @__recorder.record("puts", {}, args)
    end

    def print(*args)
      @__recorder.record("print", {}, args)
    end

    def p(*args)
      @__recorder.record("p", {}, args)
      args.first
    end

    def system(*args)
      @__recorder.record("system", {}, args)
      true
    end

    def `(cmd)
      @__recorder.record("`", {}, [cmd])
      Stub.new("`#{cmd}`")
    end

    def require(name)
      super
    rescue LoadError
      false
    end

    def require_relative(_name)
      false
    end

    def exit(*_args)
      @__recorder.record("exit", {}, [])
    end

    def abort(*_args)
      @__recorder.record("abort", {}, [])
    end

    def sleep(*_args)
      0
    end

    def select(*args)
      @__recorder.call(:select, args)
    end

    def test(*args)
      @__recorder.call(:test, args)
    end

    def format(*args)
      Kernel.format(*args)
    rescue StandardError
      Stub.new("format")
    end
  end

  class Recorder
    attr_reader :lanes, :env_written, :lane_context, :load_actions

    def initialize(path)
      @path = File.expand_path(path)
      @lanes = []
      @hooks = Hash.new { |h, k| h[k] = {} }
      @platform = nil
      @load_actions = []
      @current = @load_actions
      @key = false
      @env_written = {}
      @lane_context = LaneContext.new
      @stack = []
      @imported = {}
      @sandbox = Sandbox.new(self)
      env = FakeEnv.new(self)
      @sandbox.singleton_class.const_set(:ENV, env)
      @sandbox.singleton_class.const_set(:UI, FastlaneHarness.stub_module("UI", self))
      @sandbox.singleton_class.const_set(:Time, FixedTime)
    end

    def load_file(path)
      real = File.expand_path(path)
      return if @imported[real]

      @imported[real] = true
      source = File.binread(real).force_encoding("UTF-8")
      Dir.chdir(File.dirname(real)) do
        @sandbox.instance_eval(source, real, 1)
      end
    end

    # ---- recording -------------------------------------------------------
    def record(name, options, args)
      entry = { "action" => name.to_s, "options" => FastlaneHarness.normalise(options),
                "args" => FastlaneHarness.normalise(args), "key" => @key }
      @current << entry
      entry
    end

    def env_write(name, value)
      @env_written[name] = value.is_a?(String) ? value : FastlaneHarness.label(value)
      @key = true if KEY_ENV_VARS.include?(name)
      record("ENV[]=", {}, [name, value])
    end

    def spaceship_call(path, name, args)
      return Stub.new("#{path}.#{name}") if path == "UI" && name != :user_error!

      if path.start_with?("Spaceship::ConnectAPI") && %i[auth token=].include?(name)
        record("#{path}.#{name}", {}, args)
        @key = true
      else
        record("#{path}.#{name}", {}, args)
      end
      Stub.new("#{path}.#{name}")
    end

    # ---- DSL --------------------------------------------------------------
    def call(name, args, &block)
      case name
      when :lane then define_lane(args, false, block)
      when :private_lane then define_lane(args, true, block)
      when :override_lane then define_lane(args, false, block)
      when :platform then in_platform(args.first, &block)
      when :before_all, :before_each, :after_each, :after_all, :error
        @hooks[@platform][name] = block
        nil
      when :desc, :fastlane_require, :actions_path, :import_from_git, :default_platform,
           :fastlane_version, :min_fastlane_version, :skip_docs, :opt_out_usage, :opt_out_crash_reporting
        nil
      when :import
        import(args.first)
      when :lane_context
        @lane_context
      when :app_store_connect_api_key
        record(name, args.first.is_a?(Hash) ? args.first : {}, args.drop(1))
        @key = true
        key = ApiKey.new
        key[:key_id] = "<key_id>"
        @lane_context[:APP_STORE_CONNECT_API_KEY] = key
        key
      else
        lane = find_lane(name)
        lane ? switch_to_lane(lane, args) : action(name, args, &block)
      end
    end

    def define_lane(args, is_private, block)
      name = args.first
      return nil unless block

      @lanes.reject! { |l| l.platform == @platform && l.name == name.to_s }
      @lanes << Lane.new(@platform, name.to_s, is_private, block)
      nil
    end

    def in_platform(name)
      previous = @platform
      @platform = name&.to_s
      yield if block_given?
    ensure
      @platform = previous
    end

    def import(path)
      return nil unless path.is_a?(String)

      full = File.expand_path(path)
      load_file(full) if File.file?(full)
      nil
    end

    def find_lane(name)
      platform = @stack.last&.platform
      @lanes.find { |l| l.platform == platform && platform && l.name == name.to_s } ||
        @lanes.find { |l| l.platform.nil? && l.name == name.to_s }
    end

    def action(name, args)
      options = args.first.is_a?(Hash) ? args.first : {}
      rest = args.first.is_a?(Hash) ? args.drop(1) : args
      record(name, options, rest)
      Stub.new("<#{name}>")
    end

    def switch_to_lane(lane, args)
      if @stack.include?(lane)
        record("lane-recursion:#{qualified(lane)}", {}, [])
        return Stub.new("<recursion>")
      end
      params = args.first.is_a?(Hash) ? args.first : {}
      record("lane:#{qualified(lane)}", params, [])
      run_hooks(:before_each, lane, params)
      result = run_block(lane, params)
      run_hooks(:after_each, lane, params)
      result
    end

    def run_block(lane, params)
      @stack.push(lane)
      lane.block.arity.zero? ? lane.block.call : lane.block.call(params)
    ensure
      @stack.pop
    end

    def run_hooks(kind, lane, params)
      [lane.platform, nil].uniq.each do |platform|
        block = @hooks[platform][kind]
        next unless block

        @stack.push(lane)
        begin
          block.call(lane.name.to_sym, params)
        ensure
          @stack.pop
        end
      end
    end

    def qualified(lane)
      lane.platform ? "#{lane.platform} #{lane.name}" : lane.name
    end

    # Runs one lane as `fastlane [platform] name` would.
    def run_lane(lane)
      @current = []
      @key = false
      @env_written = {}
      @lane_context = LaneContext.new
      @stack = []
      params = {}
      begin
        run_hooks(:before_all, lane, params)
        run_hooks(:before_each, lane, params)
        run_block(lane, params)
        run_hooks(:after_each, lane, params)
        run_hooks(:after_all, lane, params)
      rescue StandardError, ScriptError => e
        @current << { "error" => FastlaneHarness.error_text(e) }
      end
      @current
    end

    def report
      lanes = {}
      @lanes.each do |lane|
        lanes[qualified(lane)] = { "private" => lane.private, "actions" => run_lane(lane) }
      end
      { "load" => @load_actions, "lanes" => lanes }
    end
  end

  # The first line of an error, without the folder of the file it names.
  def self.error_text(error)
    line = error.message.lines.first.to_s.strip.gsub(%r{[^\s:]*/(?=[^/\s:]+:\d+)}, "")
    "#{error.class}: #{unplace(line)}"
  end

  # A clock that always reads the same time.
  class FixedTime < ::Time
    def self.now
      at(0).utc
    end

    def self.new(*args)
      args.empty? ? now : super
    end
  end

  def self.run(path)
    dirs = []
    dir = File.dirname(File.expand_path(path))
    while dir != File.dirname(dir)
      dirs << dir
      dir = File.dirname(dir)
    end
    self.folders = dirs
    recorder = Recorder.new(path)
    Thread.current[:fastlane_harness] = recorder
    real_stdout = $stdout
    $stdout = StringIO.new
    begin
      begin
        recorder.load_file(path)
      rescue StandardError, ScriptError => e
        recorder.load_actions << { "error" => FastlaneHarness.error_text(e) }
      end
      # fastlane runs lanes from the fastlane folder.
      Dir.chdir(File.dirname(File.expand_path(path))) { recorder.report }
    ensure
      $stdout = real_stdout
    end
  end
end

if $PROGRAM_NAME == __FILE__
  if ARGV.length != 1
    warn "usage: ruby harness.rb path/to/Fastfile"
    exit 2
  end
  puts JSON.pretty_generate(FastlaneHarness.run(ARGV[0]))
end
