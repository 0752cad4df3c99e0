#pragma once
// Every error code xpeer emits, each written once; the cloud's codes are the spec, and tests and
// scripts match on them. A rule has a named constructor: `throw errors::invalid_cidr_block_overlapped(msg)`;
// the resources' "not found" and "name malformed" have one builder each, with one wording.
// A unit test (errors_test.cpp) fails if loader/ writes `Error("Code", ...)` anywhere else.
#include <string>
#include <vector>

#include "model/error.h"

// X(constructor, code constant, code): a rule whose message its call site writes.
#define XPEER_ERROR_RULES(X) \
    X(agent_already_running, AgentAlreadyRunning, "Agent.AlreadyRunning") \
    X(agent_cannot_start, AgentCannotStart, "Agent.CannotStart") \
    X(agent_metrics_port, AgentMetricsPort, "Agent.MetricsPort") \
    X(agent_metrics_token, AgentMetricsToken, "Agent.MetricsToken") \
    X(config_datapath_in_use, ConfigDatapathInUse, "Config.DatapathInUse") \
    X(config_mismatch, ConfigMismatch, "Config.Mismatch") \
    X(config_unbound, ConfigUnbound, "Config.Unbound") \
    X(datapath_map_layout, DatapathMapLayout, "Datapath.MapLayout") \
    X(datapath_not_bpffs, DatapathNotBpffs, "Datapath.NotBpffs") \
    X(datapath_not_loaded, DatapathNotLoaded, "Datapath.NotLoaded") \
    X(datapath_port_index, DatapathPortIndex, "Datapath.PortIndex") \
    X(datapath_too_many_cpus, DatapathTooManyCpus, "Datapath.TooManyCpus") \
    X(dependency_violation_instance, DependencyViolationInstance, "DependencyViolation.Instance") \
    X(dependency_violation_route_entry, DependencyViolationRouteEntry, "DependencyViolation.RouteEntry") \
    X(dependency_violation_shared_resource, DependencyViolationSharedResource, "DependencyViolation.SharedResource") \
    X(dependency_violation_vswitch, DependencyViolationVSwitch, "DependencyViolation.VSwitch") \
    X(dependency_violation_vpc_peer, DependencyViolationVpcPeer, "DependencyViolation.VpcPeer") \
    X(drift_found, DriftFound, "Drift.Found") \
    X(forbidden_operator, ForbiddenOperator, "Forbidden.Operator") \
    X(forbidden_shared_vpc, ForbiddenSharedVpc, "Forbidden.SharedVpc") \
    X(forbidden_vpc_peer, ForbiddenVpcPeer, "Forbidden.VpcPeer") \
    X(idempotent_parameter_mismatch, IdempotentParameterMismatch, "IdempotentParameterMismatch") \
    X(incorrect_rule_state_ambiguous, IncorrectRuleStateAmbiguous, "IncorrectRuleState.Ambiguous") \
    X(incorrect_status_client_token, IncorrectStatusClientToken, "IncorrectStatus.ClientToken") \
    X(incorrect_status_not_yet_expired, IncorrectStatusNotYetExpired, "IncorrectStatus.NotYetExpired") \
    X(incorrect_status_vpc_peer, IncorrectStatusVpcPeer, "IncorrectStatus.VpcPeer") \
    X(internal_error_fib, InternalErrorFib, "InternalError.Fib") \
    X(internal_error_map_table, InternalErrorMapTable, "InternalError.MapTable") \
    X(internal_error_per_cpu_index, InternalErrorPerCpuIndex, "InternalError.PerCpuIndex") \
    X(internal_error_per_cpu_map, InternalErrorPerCpuMap, "InternalError.PerCpuMap") \
    X(internal_error_per_cpu_values, InternalErrorPerCpuValues, "InternalError.PerCpuValues") \
    X(internal_error_vswitch_link, InternalErrorVswitchLink, "InternalError.VswitchVeth") \
    X(invalid_alert_threshold, InvalidAlertThreshold, "InvalidAlert.Threshold") \
    X(invalid_alert_unlimited, InvalidAlertUnlimited, "InvalidAlert.Unlimited") \
    X(invalid_alert_webhook, InvalidAlertWebhook, "InvalidAlert.Webhook") \
    X(invalid_alert_webhook_address, InvalidAlertWebhookAddress, "InvalidAlert.WebhookAddress") \
    X(invalid_alert_window, InvalidAlertWindow, "InvalidAlert.Window") \
    X(invalid_alert_metric, InvalidAlertMetric, "InvalidAlertMetric") \
    X(invalid_bandwidth_malformed, InvalidBandwidthMalformed, "InvalidBandwidth.Malformed") \
    X(invalid_bandwidth_too_large, InvalidBandwidthTooLarge, "InvalidBandwidth.TooLarge") \
    X(invalid_bandwidth_value, InvalidBandwidthValue, "InvalidBandwidth.Value") \
    X(invalid_cidr_block_family, InvalidCidrBlockFamily, "InvalidCidrBlock.Family") \
    X(invalid_cidr_block_malformed, InvalidCidrBlockMalformed, "InvalidCidrBlock.Malformed") \
    X(invalid_cidr_block_not_in_vpc, InvalidCidrBlockNotInVpc, "InvalidCidrBlock.NotInVpc") \
    X(invalid_cidr_block_overlapped, InvalidCidrBlockOverlapped, "InvalidCidrBlock.Overlapped") \
    X(invalid_cidr_block_route_conflict, InvalidCidrBlockRouteConflict, "InvalidCidrBlock.RouteConflict") \
    X(invalid_cidr_block_size, InvalidCidrBlockSize, "InvalidCidrBlock.Size") \
    X(invalid_client_token_malformed, InvalidClientTokenMalformed, "InvalidClientToken.Malformed") \
    X(invalid_description_malformed, InvalidDescriptionMalformed, "InvalidDescription.Malformed") \
    X(invalid_destination_cidr_block_duplicate, InvalidDestinationCidrBlockDuplicate, "InvalidDestinationCidrBlock.Duplicate") \
    X(invalid_destination_cidr_block_more_specific_than_system_route, InvalidDestinationCidrBlockMoreSpecificThanSystemRoute, \
      "InvalidDestinationCidrBlock.MoreSpecificThanSystemRoute") \
    X(invalid_duration, InvalidDuration, "InvalidDuration") \
    X(invalid_file, InvalidFile, "InvalidFile") \
    X(invalid_file_control_character, InvalidFileControlCharacter, "InvalidFile.ControlCharacter") \
    X(invalid_file_directory, InvalidFileDirectory, "InvalidFile.Directory") \
    X(invalid_file_line_too_long, InvalidFileLineTooLong, "InvalidFile.LineTooLong") \
    X(invalid_file_too_large, InvalidFileTooLarge, "InvalidFile.TooLarge") \
    X(invalid_file_too_many_lines, InvalidFileTooManyLines, "InvalidFile.TooManyLines") \
    X(invalid_host_region_mismatch, InvalidHostRegionMismatch, "InvalidHost.RegionMismatch") \
    X(invalid_host_underlay, InvalidHostUnderlay, "InvalidHost.Underlay") \
    X(invalid_host_underlay_in_use, InvalidHostUnderlayInUse, "InvalidHost.UnderlayInUse") \
    X(invalid_host_underlay_mismatch, InvalidHostUnderlayMismatch, "InvalidHost.UnderlayMismatch") \
    X(invalid_host_underlay_mtu, InvalidHostUnderlayMtu, "InvalidHost.UnderlayMtu") \
    X(invalid_ip_address_in_use, InvalidIpAddressInUse, "InvalidIpAddress.InUse") \
    X(invalid_ip_address_malformed, InvalidIpAddressMalformed, "InvalidIpAddress.Malformed") \
    X(invalid_ip_address_not_in_vswitch, InvalidIpAddressNotInVSwitch, "InvalidIpAddress.NotInVSwitch") \
    X(invalid_ip_address_out_of_range, InvalidIpAddressOutOfRange, "InvalidIpAddress.OutOfRange") \
    X(invalid_ip_address_reserved, InvalidIpAddressReserved, "InvalidIpAddress.Reserved") \
    X(invalid_ipv6_cidr_block_not_in_vpc, InvalidIpv6CidrBlockNotInVpc, "InvalidIpv6CidrBlock.NotInVpc") \
    X(invalid_ipv6_cidr_block_overlapped, InvalidIpv6CidrBlockOverlapped, "InvalidIpv6CidrBlock.Overlapped") \
    X(invalid_ipv6_cidr_block_size, InvalidIpv6CidrBlockSize, "InvalidIpv6CidrBlock.Size") \
    X(invalid_ipv6_cidr_block_vpc_has_ipv6, InvalidIpv6CidrBlockVpcHasIpv6, "InvalidIpv6CidrBlock.VpcHasIpv6") \
    X(invalid_ipv6_cidr_block_vpc_has_no_ipv6, InvalidIpv6CidrBlockVpcHasNoIpv6, "InvalidIpv6CidrBlock.VpcHasNoIpv6") \
    X(invalid_link_type_intra_region, InvalidLinkTypeIntraRegion, "InvalidLinkType.IntraRegion") \
    X(invalid_link_type_unknown, InvalidLinkTypeUnknown, "InvalidLinkType.Unknown") \
    X(invalid_map_name_not_found, InvalidMapNameNotFound, "InvalidMapName.NotFound") \
    X(invalid_metrics_port_out_of_range, InvalidMetricsPortOutOfRange, "InvalidMetricsPort.OutOfRange") \
    X(invalid_name_ambiguous, InvalidNameAmbiguous, "InvalidName.Ambiguous") \
    X(invalid_name_not_found, InvalidNameNotFound, "InvalidName.NotFound") \
    X(invalid_netns_name_malformed, InvalidNetnsNameMalformed, "InvalidNetnsName.Malformed") \
    X(invalid_next_hop_not_found, InvalidNextHopNotFound, "InvalidNextHop.NotFound") \
    X(invalid_next_hop_not_of_vpc, InvalidNextHopNotOfVpc, "InvalidNextHop.NotOfVpc") \
    X(invalid_parameter_command, InvalidParameterCommand, "InvalidParameter.Command") \
    X(invalid_parameter_conflict, InvalidParameterConflict, "InvalidParameter.Conflict") \
    X(invalid_parameter_count, InvalidParameterCount, "InvalidParameter.Count") \
    X(invalid_parameter_destination, InvalidParameterDestination, "InvalidParameter.Destination") \
    X(invalid_parameter_destination_prefix, InvalidParameterDestinationPrefix, "InvalidParameter.DestinationPrefix") \
    X(invalid_parameter_dry_run, InvalidParameterDryRun, "InvalidParameter.DryRun") \
    X(invalid_parameter_family, InvalidParameterFamily, "InvalidParameter.Family") \
    X(invalid_parameter_host, InvalidParameterHost, "InvalidParameter.Host") \
    X(invalid_parameter_interface_name, InvalidParameterInterfaceName, "InvalidParameter.InterfaceName") \
    X(invalid_parameter_prefix_length, InvalidParameterPrefixLength, "InvalidParameter.PrefixLength") \
    X(invalid_parameter_route_table, InvalidParameterRouteTable, "InvalidParameter.RouteTable") \
    X(invalid_parameter_sink_link, InvalidParameterSinkLink, "InvalidParameter.SinkLink") \
    X(invalid_parameter_sizes, InvalidParameterSizes, "InvalidParameter.Sizes") \
    X(invalid_parameter_sysctl, InvalidParameterSysctl, "InvalidParameter.Sysctl") \
    X(invalid_price_intra_region, InvalidPriceIntraRegion, "InvalidPrice.IntraRegion") \
    X(invalid_price_negative, InvalidPriceNegative, "InvalidPrice.Negative") \
    X(invalid_principal_not_found, InvalidPrincipalNotFound, "InvalidPrincipal.NotFound") \
    X(invalid_principal_owner, InvalidPrincipalOwner, "InvalidPrincipal.Owner") \
    X(invalid_quota_name_not_found, InvalidQuotaNameNotFound, "InvalidQuotaName.NotFound") \
    X(invalid_quota_value_negative, InvalidQuotaValueNegative, "InvalidQuotaValue.Negative") \
    X(invalid_quota_value_too_large, InvalidQuotaValueTooLarge, "InvalidQuotaValue.TooLarge") \
    X(invalid_quota_value_zero, InvalidQuotaValueZero, "InvalidQuotaValue.Zero") \
    X(invalid_region_id_mismatch, InvalidRegionIdMismatch, "InvalidRegionId.Mismatch") \
    X(invalid_region_id_not_found, InvalidRegionIdNotFound, "InvalidRegionId.NotFound") \
    X(invalid_status, InvalidStatus, "InvalidStatus") \
    X(invalid_time, InvalidTime, "InvalidTime") \
    X(invalid_time_not_on_hour, InvalidTimeNotOnHour, "InvalidTime.NotOnHour") \
    X(invalid_time_out_of_range, InvalidTimeOutOfRange, "InvalidTime.OutOfRange") \
    X(invalid_time_range, InvalidTimeRange, "InvalidTime.Range") \
    X(invalid_vswitch_no_free_address, InvalidVSwitchNoFreeAddress, "InvalidVSwitch.NoFreeAddress") \
    X(invalid_vswitch_no_ipv6, InvalidVSwitchNoIpv6, "InvalidVSwitch.NoIpv6") \
    X(invalid_vpc_id_self, InvalidVpcIdSelf, "InvalidVpcId.Self") \
    X(kernel_repaired, KernelRepaired, "Kernel.Repaired") \
    X(missing_parameter, MissingParameter, "MissingParameter") \
    X(quota_exceeded_cross_border_bandwidth, QuotaExceededCrossBorderBandwidth, "QuotaExceeded.CrossBorderBandwidth") \
    X(quota_exceeded_cross_region_bandwidth, QuotaExceededCrossRegionBandwidth, "QuotaExceeded.CrossRegionBandwidth") \
    X(quota_exceeded_cross_region_peer_num_per_vpc, QuotaExceededCrossRegionPeerNumPerVpc, "QuotaExceeded.CrossRegionPeerNumPerVpc") \
    X(quota_exceeded_datapath_ifindex, QuotaExceededDatapathIfindex, "QuotaExceeded.DatapathIfindex") \
    X(quota_exceeded_intra_region_peer_num_per_vpc, QuotaExceededIntraRegionPeerNumPerVpc, "QuotaExceeded.IntraRegionPeerNumPerVpc") \
    X(quota_exceeded_peer_num, QuotaExceededPeerNum, "QuotaExceeded.PeerNum") \
    X(resource_already_exist_vpc_peer, ResourceAlreadyExistVpcPeer, "ResourceAlreadyExist.VpcPeer") \
    X(store_compacted, StoreCompacted, "Store.Compacted") \
    X(store_conflict, StoreConflict, "Store.Conflict") \
    X(store_constraint, StoreConstraint, "Store.Constraint") \
    X(store_refused, StoreRefused, "Store.Refused") \
    X(store_schema_version, StoreSchemaVersion, "Store.SchemaVersion") \
    X(store_unknown, StoreUnknown, "Store.Unknown") \
    X(store_unreachable, StoreUnreachable, "Store.Unreachable") \
    X(timeout_vpc_peer, TimeoutVpcPeer, "Timeout.VpcPeer")

// X(code constant, code): the codes that have no constructor of their own: those of the builders
// below, which word their messages themselves, and those the CLI prints without an Error (a
// failure that breaks no rule, under --json; a malformed command line under --json; an argument
// with a control character).
#define XPEER_ERROR_OTHER_CODES(X) \
    X(InternalError, "InternalError") \
    X(InvalidCommandLine, "InvalidCommandLine") \
    X(InvalidParameterControlCharacter, "InvalidParameter.ControlCharacter") \
    X(InvalidAlertIdNotFound, "InvalidAlertId.NotFound") \
    X(InvalidHostNotFound, "InvalidHost.NotFound") \
    X(InvalidHostNameMalformed, "InvalidHostName.Malformed") \
    X(InvalidInstanceIdNotFound, "InvalidInstanceId.NotFound") \
    X(InvalidRouteEntryIdNotFound, "InvalidRouteEntryId.NotFound") \
    X(InvalidVSwitchIdNotFound, "InvalidVSwitchId.NotFound") \
    X(InvalidVSwitchNameMalformed, "InvalidVSwitchName.Malformed") \
    X(InvalidVpcIdNotFound, "InvalidVpcId.NotFound") \
    X(InvalidVpcNameMalformed, "InvalidVpcName.Malformed") \
    X(InvalidVpcPeerIdNotFound, "InvalidVpcPeerId.NotFound") \
    X(InvalidVpcPeerNameMalformed, "InvalidVpcPeerName.Malformed")

// X(Kind, noun in messages, its "not found" code, its "name malformed" code or nullptr).
#define XPEER_ERROR_KINDS(X) \
    X(Vpc, "VPC", code::InvalidVpcIdNotFound, code::InvalidVpcNameMalformed) \
    X(VSwitch, "vSwitch", code::InvalidVSwitchIdNotFound, code::InvalidVSwitchNameMalformed) \
    X(Instance, "instance", code::InvalidInstanceIdNotFound, nullptr) \
    X(VpcPeer, "peering connection", code::InvalidVpcPeerIdNotFound, code::InvalidVpcPeerNameMalformed) \
    X(RouteEntry, "route entry", code::InvalidRouteEntryIdNotFound, nullptr) \
    X(Alert, "alert", code::InvalidAlertIdNotFound, nullptr) \
    X(Host, "host", code::InvalidHostNotFound, code::InvalidHostNameMalformed)

namespace xpeer::errors {

namespace code {
#define XPEER_ERROR_CODE(fn, name, text) inline constexpr char name[] = text;
XPEER_ERROR_RULES(XPEER_ERROR_CODE)
#undef XPEER_ERROR_CODE
#define XPEER_ERROR_OTHER_CODE(name, text) inline constexpr char name[] = text;
XPEER_ERROR_OTHER_CODES(XPEER_ERROR_OTHER_CODE)
#undef XPEER_ERROR_OTHER_CODE
}  // namespace code

#define XPEER_ERROR_CONSTRUCTOR(fn, name, text) \
    inline Error fn(const std::string& message) { return Error(code::name, message); }
XPEER_ERROR_RULES(XPEER_ERROR_CONSTRUCTOR)
#undef XPEER_ERROR_CONSTRUCTOR

// The resources a command names by id.
enum class Kind {
#define XPEER_ERROR_KIND(kind, noun, not_found, name_malformed) kind,
    XPEER_ERROR_KINDS(XPEER_ERROR_KIND)
#undef XPEER_ERROR_KIND
};

// "Invalid<Kind>Id.NotFound": "<noun> <id> not found <where>". The default `where` is the
// controller's: another account's resource is not found, as a missing one is.
Error not_found(Kind kind, const std::string& id, const std::string& where = "(or not visible to this account)");
// "Invalid<Kind>Name.Malformed" for the kinds that have names (Vpc, VSwitch, VpcPeer).
Error name_malformed(Kind kind, const std::string& message);

// Every code above, for the tests that check codes against this list.
const std::vector<std::string>& all_codes();

}  // namespace xpeer::errors
