# frozen_string_literal: true

# Checks that a rewritten Fastfile behaves like the original, lane by lane:
#
#   ruby tests/ruby/compare.rb BEFORE/fastlane/Fastfile AFTER/fastlane/Fastfile
#
# Both files are run through harness.rb. For every lane the same actions must run
# in the same order with the same options, except that:
# - the inserted `app_store_connect_api_key(...)` call may appear;
# - on a key-capable Apple action, `username` may be removed, `api_key: <the key>`
#   added, and `precheck_include_in_app_purchases: false` (deliver family) or
#   `include_in_app_purchases: false` (precheck family) added, provided the
#   rewritten call then has a key (passed as an option or in scope).
# Exit 0 when they match, 1 with an explanation otherwise, 2 on usage errors.

require "json"
require "open3"

module FastlaneCompare
  HARNESS = File.expand_path("harness.rb", __dir__)

  KEY_CAPABLE = %w[
    pilot upload_to_testflight testflight deliver upload_to_app_store appstore
    match sync_code_signing match_nuke cert get_certificates sigh get_provisioning_profile
    precheck check_app_store_metadata app_store_build_number latest_testflight_build_number
    download_dsyms set_changelog register_device register_devices notarize update_app_age_rating
  ].freeze
  DELIVER = %w[deliver upload_to_app_store appstore].freeze
  PRECHECK = %w[precheck check_app_store_metadata].freeze

  # A folder stands for its fastlane/Fastfile (or its Fastfile).
  def self.fastfile(path)
    return path unless File.directory?(path)

    ["fastlane/Fastfile", ".fastlane/Fastfile", "Fastfile"].map { |f| File.join(path, f) }.find { |f| File.file?(f) } ||
      raise("no Fastfile in #{path}")
  end

  def self.harness(path)
    path = fastfile(path)
    out, err, status = Open3.capture3(RbConfig.ruby, HARNESS, path)
    raise "harness failed on #{path}: #{err}" unless status.success?

    JSON.parse(out)
  end

  def self.has_key?(entry)
    entry["key"] || entry["options"].key?("api_key") || entry["options"].key?("api_key_path")
  end

  def self.describe(entry)
    return "error #{entry['error']}" if entry.key?("error")

    "#{entry['action']}(#{entry['options'].to_json}#{entry['args'].empty? ? '' : ", args #{entry['args'].to_json}"})"
  end

  # Returns nil when `after` is an allowed rewrite of `before`, else a message.
  def self.compare_entry(before, after)
    return (before == after ? nil : "#{describe(before)} became #{describe(after)}") if before.key?("error") || after.key?("error")
    return "#{describe(before)} became #{describe(after)}" if before["action"] != after["action"]
    return "arguments of #{before['action']} changed: #{before['args']} -> #{after['args']}" if before["args"] != after["args"]

    name = before["action"]
    b = before["options"]
    a = after["options"]
    return nil if a == b

    unless KEY_CAPABLE.include?(name)
      return "options of #{name} changed: #{b.to_json} -> #{a.to_json}"
    end

    removed = b.keys - a.keys
    added = a.keys - b.keys
    changed = (b.keys & a.keys).reject { |k| b[k] == a[k] }
    problems = []
    problems << "options #{changed.join(', ')} changed" unless changed.empty?
    (removed - ["username"]).each { |k| problems << "option #{k} was removed" }
    added.each do |k|
      ok = case k
           when "api_key" then a[k] == "<api_key>"
           when "precheck_include_in_app_purchases" then DELIVER.include?(name) && a[k] == "false"
           when "include_in_app_purchases" then PRECHECK.include?(name) && a[k] == "false"
           else false
           end
      problems << "option #{k}: #{a[k]} was added" unless ok
    end
    problems << "it was rewritten but has no API key (none passed, none in scope)" unless has_key?(after)
    return nil if problems.empty?

    "#{name}: #{problems.join('; ')} (#{b.to_json} -> #{a.to_json})"
  end

  def self.inserted_key?(entry)
    entry["action"] == "app_store_connect_api_key"
  end

  def self.compare_list(before, after)
    problems = []
    i = 0
    j = 0
    while i < before.length || j < after.length
      b = before[i]
      a = after[j]
      if a && inserted_key?(a) && !(b && inserted_key?(b))
        j += 1
        next
      end
      if b.nil?
        problems << "runs #{describe(a)} at the end, which it did not before"
        break
      end
      if a.nil?
        problems << "no longer runs #{describe(b)} (step #{i + 1})"
        break
      end
      message = compare_entry(b, a)
      if message
        problems << "step #{i + 1}: #{message}"
        break if b["action"] != a["action"]
      end
      i += 1
      j += 1
    end
    problems
  end

  def self.compare(before_path, after_path)
    before = harness(before_path)
    after = harness(after_path)
    problems = []
    load_problems = compare_list(before["load"], after["load"])
    problems.concat(load_problems.map { |p| "while loading: #{p}" })
    names = (before["lanes"].keys + after["lanes"].keys).uniq
    compared = 0
    names.each do |lane|
      bl = before["lanes"][lane]
      al = after["lanes"][lane]
      if bl.nil? || al.nil?
        problems << "lane #{lane}: only defined #{bl ? 'before' : 'after'} the rewrite"
        next
      end
      problems << "lane #{lane}: private changed" if bl["private"] != al["private"]
      compare_list(bl["actions"], al["actions"]).each { |p| problems << "lane #{lane}: #{p}" }
      compared += 1
    end
    [problems, compared]
  end
end

if $PROGRAM_NAME == __FILE__
  if ARGV.length != 2
    warn "usage: ruby compare.rb BEFORE_FASTFILE AFTER_FASTFILE"
    exit 2
  end
  begin
    problems, compared = FastlaneCompare.compare(ARGV[0], ARGV[1])
  rescue StandardError => e
    warn e.message
    exit 2
  end
  if problems.empty?
    puts "same behaviour: #{compared} lanes compared"
    exit 0
  end
  warn "#{ARGV[1]} does not behave like #{ARGV[0]}:"
  problems.each { |p| warn "  - #{p}" }
  exit 1
end
