#pragma once
#include <string>

#include "model/errors.h"

// What a user may call a resource and say about it, as the cloud bounds them. Text reaches
// tables in other people's terminals: no control characters anywhere.
namespace xpeer::names {

// "" (no name) or 2 to 128 characters: starts with a letter; letters, digits, '.', '_', '-'.
// Letters include non-ASCII ones (UTF-8). errors::name_malformed(kind).
void check_name(errors::Kind kind, const std::string& name);
// "" or 2 to 256 characters, not starting with http:// or https://, printable UTF-8.
// errors::invalid_description_malformed().
void check_description(const std::string& description);
// A host's name: 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or
// digit (a DNS label: it is a part of etcd keys). errors::name_malformed(Kind::Host).
void check_host_name(const std::string& name);
// Whether text is valid UTF-8 without control characters (C0, DEL, C1).
bool printable(const std::string& text);

}  // namespace xpeer::names
