from humitout import security


def test_pin_is_six_random_digits():
    pins = {security.new_pin() for _ in range(200)}
    assert all(len(p) == 6 and p.isdigit() for p in pins)
    assert len(pins) > 190


def test_pin_hash_is_salted_scrypt_and_verifies_only_the_right_pin():
    stored = security.hash_pin("123456")
    assert stored.startswith("scrypt$") and "123456" not in stored
    assert stored != security.hash_pin("123456")  # fresh salt each time
    assert security.verify_pin("123456", stored)
    assert not security.verify_pin("123457", stored)
    assert not security.verify_pin("123456", "garbage")


def test_link_tokens_carry_128_random_bits():
    tokens = {security.new_link_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) == 22 for t in tokens)  # 16 bytes, base64url without padding
