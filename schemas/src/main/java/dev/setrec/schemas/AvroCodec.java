package dev.setrec.schemas;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Avro single-object encoding (a 2-byte marker, the writer schema's 64-bit fingerprint, then the binary record) for
 * one topic's record type. Reading resolves every writer schema the codec was told about (older or newer versions of
 * the same record), so producers and consumers can evolve independently. Thread-safe; one per operator is enough.
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The single-object encoding's marker, then the writer schema's CRC-64-AVRO fingerprint (little-endian). */
    private static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};
    private static final int HEADER_LENGTH = MARKER.length + Long.BYTES;

    private final Class<T> type;
    private final List<String> otherWriterSchemas;
    private transient BinaryMessageEncoder<T> encoder;
    /**
     * Not a BinaryMessageDecoder: it reads the body from an InputStream, where Avro cannot check a corrupt length
     * against the bytes left, so a 40-byte message can allocate gigabytes (AvroCodecTest's corrupt bodies ran a 3 GB
     * JVM out of memory). A decoder over the byte array rejects such lengths before allocating.
     */
    private transient Map<Long, DatumReader<T>> readersByFingerprint;

    private AvroCodec(Class<T> type, List<String> otherWriterSchemas) {
        this.type = type;
        this.otherWriterSchemas = List.copyOf(otherWriterSchemas);
    }

    /** A codec that reads and writes {@code type}'s current schema. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, List.of());
    }

    /** A codec that also reads messages written with these (JSON) schemas of the same record. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, List<String> otherWriterSchemas) {
        return new AvroCodec<>(type, otherWriterSchemas);
    }

    public Class<T> type() {
        return type;
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes one message; every failure becomes a {@link BadRecordException} that names the problem. */
    public T decode(byte[] bytes) throws BadRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new BadRecordException("empty message: expected an Avro single-object encoded " + name());
        }
        if (bytes.length < HEADER_LENGTH || bytes[0] != MARKER[0] || bytes[1] != MARKER[1]) {
            throw new BadRecordException("not Avro single-object encoding (no 0xC3 0x01 marker and 8-byte "
                    + "fingerprint in " + bytes.length + " bytes), expected " + name());
        }
        long fingerprint = ByteBuffer.wrap(bytes, MARKER.length, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
        DatumReader<T> reader = readers().get(fingerprint);
        if (reader == null) {
            throw new BadRecordException("unknown writer schema for " + name() + ": fingerprint " + fingerprint
                    + " is neither the current schema nor one of the " + otherWriterSchemas.size() + " other versions");
        }
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH,
                    bytes.length - HEADER_LENGTH, null));
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | IllegalArgumentException
                 | UnsupportedOperationException e) { // Avro's SystemLimitException throws the last for absurd lengths
            throw new BadRecordException("malformed " + name() + " body: " + describe(e), e);
        }
    }

    private String name() {
        return type.getSimpleName();
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema());
        }
        return encoder;
    }

    private Map<Long, DatumReader<T>> readers() {
        if (readersByFingerprint == null) {
            Schema current = schema();
            SpecificData model = SpecificData.getForClass(type);
            Stream<Schema> others = otherWriterSchemas.stream().map(json -> new Schema.Parser().parse(json));
            readersByFingerprint = Stream.concat(Stream.of(current), others).collect(Collectors.toUnmodifiableMap(
                    SchemaNormalization::parsingFingerprint64,
                    writer -> new SpecificDatumReader<>(writer, current, model),
                    (first, sameFingerprint) -> first));
        }
        return readersByFingerprint;
    }

    private Schema schema() {
        return SpecificData.get().getSchema(type);
    }
}
