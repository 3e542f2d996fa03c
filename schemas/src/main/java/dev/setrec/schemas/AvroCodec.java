package dev.setrec.schemas;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Avro single-object encoding (a 2-byte marker, the writer schema's 64-bit fingerprint, then the binary record) for
 * one topic's record type. Writing uses the generated class's (current) schema. Reading resolves every released
 * version of the record ({@link SchemaHistory}) and any extra writer schemas given at run time, so producers and
 * consumers can be upgraded one after the other. Thread-safe; one per operator is enough.
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 2L;
    /** The single-object encoding's marker, then the writer schema's CRC-64-AVRO fingerprint (little-endian). */
    private static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};
    private static final int HEADER_LENGTH = MARKER.length + Long.BYTES;

    private final Class<T> type;
    private final List<WriterSchema> extraWriterSchemas;
    private transient BinaryMessageEncoder<T> encoder;
    /**
     * A reader per known writer schema. Not a BinaryMessageDecoder: it reads the body from an InputStream, where Avro
     * cannot check a corrupt length against the bytes left, so a 40-byte message can allocate gigabytes
     * (AvroCodecTest's corrupt bodies ran a 3 GB JVM out of memory). A decoder over the byte array rejects such lengths
     * before allocating, and knows how many bytes a record left unread.
     */
    private transient Readers<T> readers;

    private AvroCodec(Class<T> type, List<WriterSchema> extraWriterSchemas) {
        this.type = type;
        this.extraWriterSchemas = List.copyOf(extraWriterSchemas);
    }

    /** A codec that writes {@code type}'s current schema and reads every released version of it. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, List.of());
    }

    /**
     * A codec that also reads messages written with these JSON schemas of the same record.
     *
     * @throws IllegalArgumentException naming the first schema that does not parse, is of another record, or that the
     *                                  current schema cannot read by Avro's compatibility rules
     */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, List<String> extraWriterSchemas) {
        return new AvroCodec<>(type, ExtraWriterSchemas.fromTexts(schema(type), extraWriterSchemas));
    }

    /**
     * A codec that also reads messages written with the schemas of {@code type}'s record among the {@code .avsc}
     * files of {@code extraSchemaDir} (files of the other topics' records are theirs, and skipped here). The files are
     * read now: the codec carries their text, so the directory need not exist where it is used.
     *
     * @throws IllegalArgumentException naming the first file that cannot be read, does not parse, names a record of
     *                                  no topic, or declares this record in a form the current schema cannot read
     */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, Path extraSchemaDir) {
        return new AvroCodec<>(type, ExtraWriterSchemas.fromDirectory(schema(type), extraSchemaDir));
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
        DatumReader<T> reader = readers().byFingerprint().get(fingerprint);
        if (reader == null) {
            throw new BadRecordException("unknown writer schema for " + name() + ": fingerprint "
                    + SchemaFingerprint.hex(fingerprint) + " (CRC-64-AVRO) is none of the known versions "
                    + readers().known());
        }
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH,
                null);
        T record;
        int trailing;
        try {
            record = reader.read(null, body);
            trailing = body.inputStream().available();
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | IllegalArgumentException
                 | UnsupportedOperationException e) { // Avro's SystemLimitException throws the last for absurd lengths
            throw new BadRecordException("malformed " + name() + " body: " + describe(e), e);
        }
        if (trailing > 0) { // a well-formed record followed by more: a framing error that must not pass unseen
            throw new BadRecordException(trailing + " trailing bytes after the " + name() + " record");
        }
        return record;
    }

    private String name() {
        return type.getSimpleName();
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(type), schema(type));
        }
        return encoder;
    }

    private Readers<T> readers() {
        if (readers == null) {
            readers = Readers.of(type, extraWriterSchemas);
        }
        return readers;
    }

    static Schema schema(Class<? extends SpecificRecord> type) {
        return SpecificData.get().getSchema(type);
    }
}
