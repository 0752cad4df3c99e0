#pragma once
// Random route tables for differential tests of the compiled lookup: a few VPCs whose prefixes
// nest around shared bases, every kind of next hop (vSwitches, reserved addresses, peerings that
// exist or not, that name the VPC or not, active or not), and destinations drawn near them.
#include <cstring>
#include <random>

#include "compiler/lpm_key.h"
#include "compiler/tables.h"

namespace xpeer::testing {

class RandomTables {
public:
    static constexpr uint32_t kVpcs = 4;
    static constexpr uint32_t kSlots = 6;  // slot kSlots is named by routes but never exists

    explicit RandomTables(uint64_t seed) : rng_(seed) {
        for (uint32_t slot = 0; slot < kSlots; ++slot) {
            xp_peering p{};
            p.vpc_a = vpc();
            p.vpc_b = slot == kSlots - 1 ? p.vpc_a % kVpcs + 1 : vpc();  // the last never names vpc_a twice
            p.active = pick(4) != 0;
            t.peerings[slot] = p;
        }
    }

    Tables t;

    uint32_t vpc() { return 1 + pick(kVpcs); }

    // A network near the bases of the family, any length, nesting with the others.
    Cidr network(Family family) {
        IpAddr a = base(family);
        const unsigned bits = a.bits();
        unsigned len = pick(bits + 1);
        if (pick(3) == 0) len = bits - pick(4);  // hosts and their neighbours, as reserved routes are
        for (unsigned i = 8; i < bits; ++i)
            if (pick(3) == 0) a.bytes[i / 8] ^= static_cast<uint8_t>(0x80 >> (i % 8));
        return Cidr{masked(a, len), static_cast<uint8_t>(len)};
    }

    xp_route route() {
        xp_route r{};
        switch (pick(4)) {
            case 0:
                r.kind = XP_NH_RESERVED;
                break;
            case 1:
            case 2:
                r.kind = XP_NH_PEERING;
                r.target = pick(kSlots + 1);
                break;
            default:
                r.kind = XP_NH_VSWITCH;
                r.target = 1 + pick(8);
                r.smac[5] = static_cast<uint8_t>(r.target);
                r.dmac[5] = static_cast<uint8_t>(r.target + 100);
        }
        return r;
    }

    void add_route(uint32_t vpc, const Cidr& c, const xp_route& r) {
        if (c.family() == Family::V4)
            t.routes_v4[lpm_key_v4(vpc, c)] = r;
        else
            t.routes_v6[lpm_key_v6(vpc, c)] = r;
    }

    void fill(unsigned routes_per_vpc) {
        for (uint32_t v = 1; v <= kVpcs; ++v)
            for (unsigned i = 0; i < routes_per_vpc; ++i) add_route(v, network(pick(2) ? Family::V4 : Family::V6), route());
    }

    // Removes one route of the family at random, if there is one.
    void remove_route(Family family) {
        if (family == Family::V4 && !t.routes_v4.empty())
            t.routes_v4.erase(std::next(t.routes_v4.begin(), pick(static_cast<unsigned>(t.routes_v4.size()))));
        if (family == Family::V6 && !t.routes_v6.empty())
            t.routes_v6.erase(std::next(t.routes_v6.begin(), pick(static_cast<unsigned>(t.routes_v6.size()))));
    }

    // A destination: inside a random network near the bases, or anywhere.
    IpAddr destination(Family family) {
        if (pick(8) == 0) {
            IpAddr a{family, {}};
            for (auto& b : a.bytes) b = static_cast<uint8_t>(pick(256));
            return masked(a, a.bits());
        }
        const Cidr net = network(family);
        IpAddr a = net.addr;
        for (unsigned i = net.prefix_len; i < a.bits(); ++i)
            if (pick(2)) a.bytes[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
        return a;
    }

    unsigned pick(unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng_); }

private:
    IpAddr base(Family family) {
        static const char* v4[] = {"10.0.0.0", "10.1.0.0", "172.16.0.0", "192.168.1.0", "10.1.2.128"};
        static const char* v6[] = {"fd00::", "fd00:0:0:1::", "fd00:a:0:1::", "2408:4000:0:3f00::", "fd00::1:0"};
        return IpAddr::parse(family == Family::V4 ? v4[pick(5)] : v6[pick(5)]);
    }

    static IpAddr masked(IpAddr a, unsigned len) {
        for (unsigned i = 0; i < 16; ++i) {
            const int bits = std::clamp(static_cast<int>(len) - static_cast<int>(i * 8), 0, 8);
            a.bytes[i] &= bits == 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
        }
        if (a.family == Family::V4) std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
        return a;
    }

    std::mt19937_64 rng_;
};

}  // namespace xpeer::testing
